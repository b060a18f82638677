from dagster import DefaultScheduleStatus, ScheduleDefinition

from orchestration.jobs import warehouse_job


def warehouse_schedule(env: str) -> ScheduleDefinition:
    return ScheduleDefinition(
        name="warehouse_every_15_minutes",
        job=warehouse_job,
        cron_schedule="*/15 * * * *",
        execution_timezone="UTC",
        default_status=DefaultScheduleStatus.RUNNING if env == "prod" else DefaultScheduleStatus.STOPPED,
    )
