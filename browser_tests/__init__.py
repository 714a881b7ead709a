"""End-to-end checks in a real browser: Debian's Chromium, driven by Playwright, against `live_server`."""
