"""The report cycle: rounds with deadlines from each unit's rules, sections assigned to departments or
people, a status per section, approval that locks the period's figures, reminders and delivery by e-mail.

deadlines (the rules) · rounds (what changes a round) · lock (what a load may write) · reads (what pages
and commands show) · report (the draft marked preliminary, adjustments, .docx and .pdf) · mail (SMTP).
"""
