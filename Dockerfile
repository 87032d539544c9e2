# granary's container image: one unit of a plan per container, for AWS Batch array jobs and
# Kubernetes indexed Jobs (deploy/, docs/scale-out.md). The unit index comes from
# AWS_BATCH_JOB_ARRAY_INDEX or JOB_COMPLETION_INDEX, which the engine sets:
#   docker build -t granary .
#   docker run --rm -e AWS_REGION -e AWS_ACCESS_KEY_ID -e AWS_SECRET_ACCESS_KEY \
#     granary work s3://BUCKET/plans/PLAN --index 0
# The runtime stage holds the Debian packages of scripts/runtime-packages.txt and nothing else;
# tests/cli/container_tree_test.cpp builds the same file tree without Docker and runs granary in it.

FROM debian:12 AS build
ARG DEBIAN_FRONTEND=noninteractive
WORKDIR /src
COPY scripts/install-deps.sh scripts/
RUN bash scripts/install-deps.sh --build-only && rm -rf /var/lib/apt/lists/*
COPY . .
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DGRANARY_BUILD_TESTS=OFF -DGRANARY_BUILD_BENCH=OFF \
 && cmake --build /build --target granary -j "$(nproc)" \
 && strip /build/src/granary \
 && /build/src/granary --version

FROM debian:12-slim
ARG DEBIAN_FRONTEND=noninteractive
COPY scripts/runtime-packages.txt /tmp/runtime-packages.txt
RUN apt-get update \
 && sed -e 's/#.*//' /tmp/runtime-packages.txt | xargs apt-get install -y --no-install-recommends \
 && rm -rf /var/lib/apt/lists/* /tmp/runtime-packages.txt
COPY --from=build /build/src/granary /usr/local/bin/granary
RUN useradd --system --create-home --home-dir /home/granary granary \
 && granary --version
USER granary
WORKDIR /home/granary
ENTRYPOINT ["granary"]
# Engines pass the command: ["work", "s3://BUCKET/plans/PLAN"]; alone, the image prints its usage.
CMD ["--help"]
