# The unstable (chaos) gRPC server. Build context: the repository root.
#   docker build -f docker/Server.Dockerfile -t resilientgrpc-server .

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore first, from the files that decide the package graph only, so that source edits reuse
# the restored layer.
COPY global.json .editorconfig Directory.*.props ./
COPY protos/ResilientGrpc.Protos.csproj protos/
COPY Server/ResilientGrpc.Server.csproj Server/
RUN dotnet restore Server/ResilientGrpc.Server.csproj
COPY protos/ protos/
COPY Server/ Server/
RUN dotnet publish Server/ResilientGrpc.Server.csproj -c Release --no-restore -o /app /p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
# The server binds its own endpoints (PORT, METRICS_PORT); the image's default HTTP port is not used.
ENV ASPNETCORE_HTTP_PORTS= \
    PORT=5000 \
    METRICS_PORT=9464 \
    DOTNET_CLI_TELEMETRY_OPTOUT=1
EXPOSE 5000 9464
USER $APP_UID
ENTRYPOINT ["dotnet", "ResilientGrpc.Server.dll"]
