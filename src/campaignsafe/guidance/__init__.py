"""The security guidance: content, checklists and progress, the briefing, offences."""
