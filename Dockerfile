# Multi-stage build: a release binary (templates, assets and migrations are compiled in) on a slim base.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock build.rs ./
COPY .cargo .cargo
COPY src src
COPY migrations migrations
COPY templates templates
COPY assets assets
RUN cargo build --release --locked && strip target/release/biw

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /var/lib/biw --create-home biw
COPY --from=build /src/target/release/biw /usr/local/bin/biw
USER biw
WORKDIR /var/lib/biw
ENV BIW_DATA_DIR=/var/lib/biw BIW_BIND=0.0.0.0:8080
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s CMD ["/bin/sh", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /healthz HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q '200 OK' <&3"]
ENTRYPOINT ["biw"]
CMD ["serve"]
