// DynamoDB Local for this machine only, run by local/dynamodb.ts as a single-file source program
// (`java … local/DynamoDbLocalLoopback.java <DynamoDB Local's own options>`).
//
// DynamoDB Local's command line has no option for the address it listens on: it builds Jetty's
// `Server(port)`, which listens on every interface, and it answers any credentials, any Host and
// any page (CORS `*`). Anyone on the network, or a web page the developer visits, could read and
// change the tables. This builds the same server from the same options, then, before it starts:
// its connector listens on 127.0.0.1 only, and a request whose Host is not 127.0.0.1 or localhost
// at its port (DNS rebinding) or that carries an Origin (a web page; the AWS SDK sends none) gets
// a 403. Telemetry is not configured, so none is sent.
import java.lang.reflect.Field;
import java.util.Locale;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

public class DynamoDbLocalLoopback {
  private static final String LOOPBACK = "127.0.0.1";

  public static void main(String[] args) throws Exception {
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    // The Jetty server is private to DynamoDBProxyServer; its class is on the class path, not in
    // a named module, so reflection may open it.
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server server = (Server) field.get(proxy);
    int port = -1;
    for (Connector connector : server.getConnectors()) {
      ServerConnector listening = (ServerConnector) connector;
      listening.setHost(LOOPBACK);
      port = listening.getPort();
    }
    final String ownIp = LOOPBACK + ":" + port;
    final String ownName = "localhost:" + port;
    server.setHandler(
        new Handler.Wrapper(server.getHandler()) {
          @Override
          public boolean handle(Request request, Response response, Callback callback)
              throws Exception {
            String host = request.getHeaders().get(HttpHeader.HOST);
            String normalized = host == null ? "" : host.trim().toLowerCase(Locale.ROOT);
            boolean ownHost = normalized.equals(ownIp) || normalized.equals(ownName);
            if (!ownHost || request.getHeaders().get(HttpHeader.ORIGIN) != null) {
              Response.writeError(request, response, callback, 403, "local clients only");
              return true;
            }
            return super.handle(request, response, callback);
          }
        });
    proxy.start();
    System.out.println("DynamoDB Local listening on " + ownIp);
  }
}
