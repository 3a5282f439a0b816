import { fileURLToPath } from 'node:url'
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin'
import { defineConfig } from 'vitest/config'

const migrations = await readD1Migrations(fileURLToPath(new URL('./migrations', import.meta.url)))

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: './wrangler.toml' },
      // Workers AI is remote-only; tests use the simulated provider and local protocol servers.
      remoteBindings: false,
      miniflare: {
        bindings: {
          TEST_MIGRATIONS: migrations,
          JWT_SECRET: 'test-jwt-secret-0123456789abcdef0123456789abcdef',
          ENCRYPTION_KEY: 'dGVzdC1lbmNyeXB0aW9uLWtleS0zMi1ieXRlcy0hISE=',
          // Webhook tests deliver to receivers in test/global-setup.ts on 127.0.0.1.
          WEBHOOKS_ALLOW_LOCALHOST: 'true',
          STRIPE_WEBHOOK_SECRET: 'whsec_test_stripe_endpoint_secret',
          // Slack's documented example signing secret.
          SLACK_SIGNING_SECRET: '8f742231b10e8888abcd99yyyzzz85a5',
        },
      },
    }),
  ],
  test: {
    include: ['test/**/*.test.ts'],
    // Request logs are printed only for failing tests.
    silent: 'passed-only',
    testTimeout: 30_000,
    setupFiles: ['./test/apply-migrations.ts'],
    globalSetup: ['./test/global-setup.ts'],
  },
})
