"""Fault drills for the production stack (``make faults``, ``python -m tradepacts.ops.faults``).

Each drill starts what it breaks on its own: a private Redis on port 6390 and a
private PostgreSQL 15 cluster on port 5440 (socket in /tmp), both removed at the
end. The shared servers on 6379 and 5432 are never stopped or touched.

- ``worker_killed``: the Celery worker SIGKILLed in the middle of a full trade
  refresh. The figures stay the old ones (whole, not half); the interrupted run
  is shown as such; the redelivered message makes the next run finish the job.
- ``redis_down``: Redis (broker and cache) stopped. Admin saves still succeed,
  within about a second; public pages still render; the failed queueing is
  recorded; once Redis is back, the catch-up task queues the refresh and the
  figures include the change made during the outage.
- ``postgres_restart``: PostgreSQL restarted under load. Requests during the
  restart get a 503 page (never a 500 or a hang) and the same gunicorn
  processes serve 200s again once it is back.
"""
