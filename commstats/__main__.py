from commstats.cli import app

app(prog_name="python -m commstats")
