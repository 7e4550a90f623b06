# One image with Mend's three programs: /usr/local/bin/mend-detector, mend-drainer, mend-autoscaler.
# The chart and the manifests pick one with `command:`.
#
#   docker build -t ghcr.io/mend/mend:0.1.0 .
#   docker buildx build --platform linux/amd64,linux/arm64 -t <registry>/mend:<tag> --push .
#
# Build stage: the Swift toolchain; the programs are linked with a static Swift standard library
# and a static libstdc++, so the runtime stage needs only glibc, CA certificates, time zones and
# (for mend-autoscaler's AWS answers) libxml2.
ARG SWIFT_IMAGE=swift:6.3-noble
ARG RUNTIME_IMAGE=ubuntu:24.04

FROM ${SWIFT_IMAGE} AS build
WORKDIR /src
# Dependencies first, so source changes do not refetch them.
COPY Package.swift ./
RUN swift package resolve
COPY Sources ./Sources
COPY Benchmarks ./Benchmarks
COPY Tests ./Tests
COPY scripts ./scripts
# scripts/release/build: `swift build -c release --static-swift-stdlib` for the three programs, with
# the binary layout that keeps mend-detector's resident memory low (scripts/release/README.md).
RUN scripts/release/build \
    && mkdir -p /out \
    && for p in mend-detector mend-drainer mend-autoscaler; do \
         cp "$(swift build -c release --show-bin-path)/$p" /out/ && strip /out/$p; \
       done

FROM ${RUNTIME_IMAGE}
# ca-certificates: TLS to the API server and AWS. tzdata: the drainer's maintenance windows name
# time zones. systemd provides journalctl, which mend-detector runs to read the host's journal
# (mounted read-only); the programs never start systemd itself. libxml2: Foundation's XMLParser,
# which mend-autoscaler uses to read AWS Query answers, loads it (`readelf -d` lists it as needed).
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates tzdata systemd libxml2 \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 65532 mend \
    && useradd --system --uid 65532 --gid 65532 --no-create-home --shell /usr/sbin/nologin mend
COPY --from=build /out/ /usr/local/bin/
COPY config/ /etc/mend/examples/
# Non-root by default. The detector's DaemonSet runs it as uid 0 with only CAP_SYSLOG to read
# /dev/kmsg and the journal (see charts/mend/templates/detector.yaml).
USER 65532:65532
ENTRYPOINT []
CMD ["/usr/local/bin/mend-drainer", "--help"]
