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

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY playbooks ./playbooks
USER node
EXPOSE 3000
# Same V8 heap settings as `npm start`: collect early, so RSS stays well under 250 MB.
CMD ["node", "--max-old-space-size=160", "--max-semi-space-size=4", "dist/src/main.js"]
