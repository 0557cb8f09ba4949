# Firebreak: build with TypeScript 7, run on Node 24 LTS.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY test ./test
COPY bench ./bench
RUN npm run build && npm prune --omit=dev
# The V8 heap settings have one home, package.json's config.node_options, shared with `npm start` and the tests.
RUN node -p "require('./package.json').config.node_options" > node-options

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/node-options ./node-options
COPY package.json ./
COPY playbooks ./playbooks
USER node
EXPOSE 3000
# Same V8 heap settings as `npm start` (a NODE_OPTIONS given to the container comes after them, so it wins).
CMD ["sh", "-c", "NODE_OPTIONS=\"$(cat node-options) ${NODE_OPTIONS:-}\" exec node dist/src/main.js"]
