"""Pure rules: functions from plan facts and a located site to findings."""
