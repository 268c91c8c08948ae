import sys
from commstats.db import make_engine
from commstats.narrative import draft_report, parse_compare
from commstats.narrative.output import to_text
from commstats.periods import parse_period
e = make_engine(sys.argv[1])
print(to_text(draft_report(e, ["travinh-demo"], parse_period(sys.argv[2]), sys.argv[3], parse_compare(sys.argv[4] if len(sys.argv)>4 else ""))))
