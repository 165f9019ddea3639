"""Every write to case records. Views, API views, commands and tasks all call these."""
