# syntax=docker/dockerfile:1
# One image for every statelab app; compose picks the app with SERVICE=gateway|user|cart|product|chat.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY apps ./apps
COPY libs ./libs
COPY tools ./tools
COPY fixtures ./fixtures
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# Reference data (users, catalog) seeded at boot; found by walking up from dist/.
COPY --from=build /app/fixtures ./fixtures
# The lab-secrets volume mounts here; a fresh named volume takes this directory's owner.
RUN mkdir -p /run/statelab && chown node:node /run/statelab
USER node
ENV SERVICE=gateway
# Memory settings of tools/lab/node-options.ts (the native launcher sets the same): the replicas'
# NODE_OPTIONS by default, the gateway's container sets its own; malloc returns scrypt's buffers.
ENV NODE_OPTIONS="--max-semi-space-size=4 --max-old-space-size=128" MALLOC_MMAP_THRESHOLD_=1048576
# register-paths resolves the @app/* aliases; the tracing preload must load before anything it instruments.
CMD ["sh", "-c", "exec node --single-threaded-gc -r ./dist/tools/register-paths.js -r ./dist/libs/telemetry/src/tracing/preload.js dist/apps/${SERVICE}/src/main.js"]
