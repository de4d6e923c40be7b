#!/usr/bin/env bash
# Install what the API tests (tests/api) need beyond node itself: the npm
# packages pinned in tests/api/package-lock.json (the OpenAPI validator
# @apidevtools/swagger-parser, and ajv, which checks every response the
# tests receive against docs/openapi.json).
# Idempotent and non-interactive: does nothing when they are in place.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
exec "$root/scripts/npm-lock.sh" api-deps "$root/tests/api" ajv @apidevtools/swagger-parser
