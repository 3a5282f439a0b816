CREATE TABLE `invitations` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`email` text NOT NULL,
	`role` text NOT NULL,
	`token_hash` text NOT NULL,
	`invited_by` text NOT NULL,
	`expires_at` integer NOT NULL,
	`accepted_at` integer,
	`accepted_by` text,
	`revoked_at` integer,
	`created_at` integer DEFAULT (unixepoch()) NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `invitations_token_hash_unique` ON `invitations` (`token_hash`);--> statement-breakpoint
CREATE INDEX `invitations_tenant` ON `invitations` (`tenant_id`,`id`);--> statement-breakpoint
CREATE INDEX `invitations_tenant_email` ON `invitations` (`tenant_id`,`email`);--> statement-breakpoint
CREATE TABLE `user_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`purpose` text NOT NULL,
	`token_hash` text NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	`created_at` integer DEFAULT (unixepoch()) NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `user_tokens_token_hash_unique` ON `user_tokens` (`token_hash`);--> statement-breakpoint
CREATE INDEX `user_tokens_user` ON `user_tokens` (`user_id`,`purpose`);--> statement-breakpoint
ALTER TABLE `plans` ADD `max_webhook_endpoints` integer DEFAULT 10 NOT NULL;--> statement-breakpoint
ALTER TABLE `plans` ADD `max_integrations` integer DEFAULT 10 NOT NULL;--> statement-breakpoint
ALTER TABLE `plans` ADD `max_open_streams` integer DEFAULT 10 NOT NULL;--> statement-breakpoint
ALTER TABLE `refresh_tokens` ADD `family_id` text;--> statement-breakpoint
CREATE INDEX `refresh_tokens_family` ON `refresh_tokens` (`family_id`);--> statement-breakpoint
ALTER TABLE `users` ADD `email_verified_at` integer;--> statement-breakpoint
-- Accounts made before verification existed are taken as verified, so their tenants keep running.
UPDATE `users` SET `email_verified_at` = `created_at` WHERE `email_verified_at` IS NULL;--> statement-breakpoint
UPDATE `plans` SET `max_webhook_endpoints` = 5, `max_integrations` = 3, `max_open_streams` = 5 WHERE `id` = 'free';--> statement-breakpoint
UPDATE `plans` SET `max_webhook_endpoints` = 50, `max_integrations` = 50, `max_open_streams` = 50 WHERE `id` = 'pro';
