# Firebreak: built with TypeScript 7, run on Node 24 LTS.
# The base is pinned to the exact Node release the tests run on (the `node` devDependency in package-lock.json);
# pin it by digest too (`node:24.21.0-bookworm-slim@sha256:…`) where your registry mirror allows.

# Compiles src/ only (tsconfig.build.json): no tests, no benches.
FROM node:24.21.0-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build
# The V8 heap settings have one home, package.json's config.node_options, shared with `npm start` and the tests.
RUN node -p "'NODE_OPTIONS=' + JSON.stringify(require('./package.json').config.node_options)" > node-options.env

# Production dependencies only, straight from the lock; no install scripts run.
FROM node:24.21.0-bookworm-slim AS production-dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:24.21.0-bookworm-slim AS runtime
# tini is PID 1: it forwards SIGTERM to Node and reaps zombies, which Node as PID 1 does not do
# (the kernel gives PID 1 no default signal actions). npm and corepack are not needed to run.
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini=0.19.0-1+b3 \
  && rm -rf /var/lib/apt/lists/* \
  && rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
    /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack
# The image is always the real bot: with no Slack settings it fails at boot listing them, never starts the playground.
ENV NODE_ENV=production FIREBREAK_PLAYGROUND=off
WORKDIR /app
COPY package.json ./
COPY --from=production-dependencies /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
COPY --from=build /app/node-options.env ./
COPY playbooks ./playbooks
# By number, not name: Kubernetes' runAsNonRoot can only verify a numeric user. No home, no shell login needed.
USER 10001:10001
EXPOSE 3000
ENTRYPOINT ["/usr/bin/tini", "--"]
# Node directly, not `npm start` (npm swallows SIGTERM). The heap settings come from node-options.env;
# a NODE_OPTIONS given to the container replaces them.
CMD ["node", "--env-file=/app/node-options.env", "dist/src/main.js"]
