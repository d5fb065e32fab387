package org.jlivepatch.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * A small HTTP service on the loopback interface: {@code GET /greet?name=N} and {@code GET /health}.
 * Prints {@code listening on PORT} once it accepts requests. Arguments: {@code [port]} (default 0:
 * any free port).
 */
public final class GreetingService {

  private GreetingService() {}

  /** Starts the service; it runs until the process is stopped. */
  public static void main(String[] args) throws IOException {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
    // Headers and body go out in two writes; without TCP_NODELAY each answer waits for a delayed ACK.
    System.setProperty("sun.net.httpserver.nodelay", "true");
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
    server.createContext("/greet", exchange -> respond(exchange, () -> Greeter.greet(nameOf(exchange))));
    server.createContext("/health", exchange -> respond(exchange, Greeter::health));
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.start();
    System.out.println("listening on " + server.getAddress().getPort());
    System.out.flush();
  }

  private static String nameOf(HttpExchange exchange) {
    String query = exchange.getRequestURI().getRawQuery();
    if (query != null) {
      for (String pair : query.split("&")) {
        if (pair.startsWith("name=")) {
          return URLDecoder.decode(pair.substring(5), StandardCharsets.UTF_8);
        }
      }
    }
    return "world";
  }

  private static void respond(HttpExchange exchange, Supplier<String> body) throws IOException {
    int status = 200;
    String text;
    try {
      text = body.get();
    } catch (RuntimeException e) {
      status = 500;
      text = "error: " + e;
    }
    byte[] bytes = (text + "\n").getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
