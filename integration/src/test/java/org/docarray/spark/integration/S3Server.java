package org.docarray.spark.integration;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * A real S3-compatible server (moto's server through {@code python/s3_server.py}, installed into
 * {@code .venv-servers} by bin/setup-python) started on 127.0.0.1 on a free port and stopped when
 * closed. The tests reach it through Hadoop's S3A, exactly as a cluster reaches S3, MinIO or Ceph.
 */
final class S3Server implements AutoCloseable {
  private static final Pattern RUNNING =
      Pattern.compile("Running on http://127\\.0\\.0\\.1:(\\d+)");
  private final Process process;
  final String endpoint;

  private S3Server(Process process, int port) {
    this.process = process;
    this.endpoint = "http://127.0.0.1:" + port;
  }

  /**
   * Starts the server; skips the test when it is not installed (fails it under
   * -Ddocarray.requirePython).
   */
  static S3Server start() throws IOException, InterruptedException {
    return start(java.util.Map.of());
  }

  /** Starts the server with extra environment (moto's settings, e.g. enforcing credentials). */
  static S3Server start(java.util.Map<String, String> env)
      throws IOException, InterruptedException {
    Path python = Paths.get(System.getProperty("docarray.s3server", "../.venv-servers/bin/python"));
    Path script = Paths.get(System.getProperty("docarray.s3script", "../python/s3_server.py"));
    if (!Files.isExecutable(python)) {
      if (Boolean.getBoolean("docarray.requirePython")) {
        throw new IllegalStateException("No S3 server at " + python + ": run bin/setup-python");
      }
      Assumptions.assumeTrue(
          false, "no S3 server at " + python + " (bin/setup-python installs it)");
    }
    ProcessBuilder pb =
        new ProcessBuilder(python.toString(), script.toString(), "0").redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p = pb.start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    StringBuilder seen = new StringBuilder();
    String line;
    while (System.nanoTime() < deadline && (line = out.readLine()) != null) {
      seen.append(line).append('\n');
      Matcher m = RUNNING.matcher(line);
      if (m.find()) {
        S3Server s = new S3Server(p, Integer.parseInt(m.group(1)));
        Thread drain =
            new Thread(
                () -> {
                  try {
                    while (out.readLine() != null) {
                      // the request log: read so that the server never blocks on a full pipe
                    }
                  } catch (IOException ignored) {
                    // the server stopped
                  }
                },
                "s3-server-log");
        drain.setDaemon(true);
        drain.start();
        return s;
      }
    }
    p.destroyForcibly();
    throw new IllegalStateException("The S3 server did not start:\n" + seen);
  }

  /** Creates a bucket (S3's CreateBucket, unsigned: the server does not check credentials). */
  void createBucket(String bucket) throws IOException, InterruptedException {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(endpoint + "/" + bucket))
                    .PUT(HttpRequest.BodyPublishers.noBody())
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(
          "CreateBucket " + bucket + ": " + r.statusCode() + " " + r.body());
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
