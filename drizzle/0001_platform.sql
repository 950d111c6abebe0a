ALTER TABLE "images" ADD COLUMN "upload_started_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "images" ADD COLUMN "upload_expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "delivery_metrics" ADD COLUMN "storage_bytes" bigint;