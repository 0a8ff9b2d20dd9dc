# The switchboard image: the production jar (router, worker, topics, batch, submit, stats) and its
# libraries on a Java 17 runtime. It holds no test kit: demo, dev, bench and mock-provider live in
# the sandbox module's jar, which ./switchboard runs.
# Build the jar first (the image build does not run Maven):
#   ./mvnw -q -B -DskipTests package -pl app -am
#   docker build -t switchboard:dev .
# Then e.g. `docker run --rm switchboard:dev --help`; docker-compose.yml builds it for you.
FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 --no-create-home switchboard
WORKDIR /app
COPY app/target/lib/ /app/lib/
COPY app/target/switchboard.jar /app/switchboard.jar
USER 10001
EXPOSE 9404
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/switchboard.jar"]
CMD ["--help"]
