# The resilient demo client. Build context: the repository root.
#   docker build -f docker/Client.Dockerfile -t resilientgrpc-client .
# Without arguments the image runs continuous load against http://server:5000 (the compose service).

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore first, from the files that decide the package graph only, so that source edits reuse
# the restored layer. The client hosts the chaos service in-process for its offline demo, so it
# references the server project as well as both interceptor packages and the contract.
COPY global.json .editorconfig Directory.*.props ./
COPY protos/ResilientGrpc.Protos.csproj protos/
COPY Interceptors/Directory.Build.* Interceptors/
COPY Interceptors/ResilientGrpc.Interceptors/ResilientGrpc.Interceptors.csproj Interceptors/ResilientGrpc.Interceptors/
COPY Interceptors/ResilientGrpc.Interceptors.Extensions/ResilientGrpc.Interceptors.Extensions.csproj Interceptors/ResilientGrpc.Interceptors.Extensions/
COPY Server/ResilientGrpc.Server.csproj Server/
COPY Client/ResilientGrpc.Client.csproj Client/
RUN dotnet restore Client/ResilientGrpc.Client.csproj
COPY protos/ protos/
COPY Interceptors/ Interceptors/
COPY Server/ Server/
COPY Client/ Client/
RUN dotnet publish Client/ResilientGrpc.Client.csproj -c Release --no-restore -o /app /p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
# The client binds its own metrics endpoint (--metrics-port / METRICS_PORT); the image's default
# HTTP port is not used.
ENV ASPNETCORE_HTTP_PORTS= \
    METRICS_PORT=9465 \
    DOTNET_CLI_TELEMETRY_OPTOUT=1
EXPOSE 9465
USER $APP_UID
ENTRYPOINT ["dotnet", "ResilientGrpc.Client.dll"]
CMD ["--server", "http://server:5000", "--rate", "20", "--concurrency", "8"]
