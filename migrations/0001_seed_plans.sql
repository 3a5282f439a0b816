-- The plans every deployment starts with. Operators add or change plans with plain SQL.
INSERT INTO plans (id, name, tenant_requests_per_window, key_requests_per_window, window_seconds, max_concurrent_batches, monthly_task_quota, max_concurrent_tasks)
VALUES
  ('free', 'Free', 300, 120, 60, 2, 10000, 50),
  ('pro', 'Pro', 6000, 3000, 60, 20, 5000000, 2000);
