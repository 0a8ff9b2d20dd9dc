# Two images from one file, on the same Java 17 runtime:
# - production (the default, last stage): the production jar (router, worker, topics, batch, submit,
#   stats) and its libraries. It holds no test kit.
# - sandbox (--target sandbox): the sandbox jar (the production commands plus demo, dev, bench and
#   mock-provider, with the in-process broker and the mock provider); docker-compose.yml runs its
#   mock provider from it.
# Build the jars first (the image build does not run Maven):
#   ./mvnw -q -B -DskipTests package -pl app,sandbox -am
#   docker build -t switchboard:dev .
#   docker build --target sandbox -t switchboard-sandbox:dev .
# Then e.g. `docker run --rm switchboard:dev --help`; docker-compose.yml builds both for you.
FROM eclipse-temurin:17-jre AS runtime
RUN useradd --system --uid 10001 --no-create-home switchboard
WORKDIR /app
EXPOSE 9404

# The parallel collector by default: less CPU per request than G1 for routers and workers
# (docs/operations.md, "JVM settings"). Another collector: -e JDK_JAVA_OPTIONS=-XX:+UseG1GC.
ENV JDK_JAVA_OPTIONS="-XX:+UseParallelGC"

FROM runtime AS sandbox
COPY sandbox/target/lib/ /app/lib/
COPY sandbox/target/switchboard.jar /app/switchboard.jar
USER 10001
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/switchboard.jar"]
CMD ["--help"]

FROM runtime AS production
COPY app/target/lib/ /app/lib/
COPY app/target/switchboard.jar /app/switchboard.jar
USER 10001
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/switchboard.jar"]
CMD ["--help"]
