# Builds the dialer binary into a small image.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -o /out/dialer ./cmd/dialer

FROM debian:bookworm-slim
COPY --from=build /out/dialer /usr/local/bin/dialer
USER 65534:65534
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/dialer"]
CMD ["serve", "--listen", "0.0.0.0:8080"]
