"""Celery settings for test workers that must get back, within seconds, a job whose worker was
killed: `CELERY_CONFIG_MODULE=tests.workflows.redis_redelivery` (what `celery --config` sets).

With Redis, a message a dead worker had taken returns to the queue once it has been unacked for
`visibility_timeout` seconds (one hour by default); the restore scan runs every
`unacked_restore_interval` × `unacked_restore_throttle` seconds.
"""

broker_transport_options = {
    "visibility_timeout": 5,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
