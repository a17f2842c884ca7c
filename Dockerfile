# syntax=docker/dockerfile:1
# Build stage: compile TypeScript with the dev dependencies.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# The on-call console's page is bundled in this stage too (esbuild is a dev dependency).
COPY tools/build-console.ts tools/copy-lua.ts ./tools/
RUN npm run build

# Runtime stage: production dependencies only, unprivileged user.
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY twiml ./twiml
USER node
# 3000: the public listener (Twilio, the API, /healthz). 3001: /readyz and /metrics, loopback unless
# INTERNAL_HOST says otherwise; publish it only to the internal network (README "The two listeners").
EXPOSE 3000 3001
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
STOPSIGNAL SIGTERM
CMD ["node", "dist/main.js"]
