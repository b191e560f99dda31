# The silo's container image: the self-contained `pigmm` folder that scripts/publish.sh makes
# (MNIST included), at /app on a minimal base, run as a non-root user. The Kubernetes manifests
# in k8s/ run `/app/pigmm silo` from it with a read-only root filesystem.
#
#   docker build -t REGISTRY/pigmm:TAG .
#
# The build stage needs the NuGet and npm registries (packages, the dashboard's plotting library
# and MNIST come from them).

FROM mcr.microsoft.com/dotnet/sdk:10.0-noble AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends nodejs npm \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN scripts/publish.sh /app

FROM mcr.microsoft.com/dotnet/runtime-deps:10.0-noble
COPY --from=build /app /app
ENV PIGMM_DATA_DIR=/app/datasets
# The base image's unprivileged user (uid 1654), which the manifests' securityContext names too.
USER app
WORKDIR /tmp
ENTRYPOINT ["/app/pigmm"]
CMD ["--help"]
