ALTER TABLE `files` ADD `encoding` text DEFAULT 'utf-8' NOT NULL;--> statement-breakpoint
ALTER TABLE `files` ADD `bom` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `files` ADD `delimiter` text;--> statement-breakpoint
ALTER TABLE `files` ADD `sheet` text;