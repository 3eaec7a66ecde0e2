// PgJDBC behind HikariCP: the multi-host JDBC URL (PgJDBC's own names for libpq's
// target_session_attrs and connect_timeout), one write and one read per round, each
// printed as a JSON line. The pool is kept across errors and re-created only after
// RECREATE_AFTER_MS of nothing but failures, so the suite can tell which it took.
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

public class Client {
  static final String WRITE_SQL = "INSERT INTO client_writes (driver, k) VALUES (?, ?) RETURNING current_setting('cluster_name')";
  static final String READ_SQL = "SELECT current_setting('cluster_name')";

  static String q(String s) {
    if (s == null) return "null";
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') b.append('\\').append(c);
      else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
      else b.append(c);
    }
    return b.append('"').toString();
  }

  static void emit(String json) {
    System.out.println(json);
    System.out.flush();
  }

  static String url() {
    StringBuilder hosts = new StringBuilder();
    for (String h : System.getenv("HOSTS").split(",")) {
      if (hosts.length() > 0) hosts.append(',');
      hosts.append(h).append(':').append(System.getenv("PORT"));
    }
    return "jdbc:postgresql://" + hosts + "/" + System.getenv("DBNAME")
        // connectTimeout bounds the TCP connect only (seconds): a killed router's name still
        // resolves for a moment to an address nobody answers on.
        + "?targetServerType=any&connectTimeout=" + Math.max(1, Long.parseLong(System.getenv("TCP_CONNECT_TIMEOUT_MS")) / 1000)
        // Client side: a statement the server never answers (a paused primary behind the router) fails.
        + "&socketTimeout=" + (Long.parseLong(System.getenv("STATEMENT_TIMEOUT_MS")) / 1000)
        // Unnamed statements only: ProxySQL 3.0 runs a reused named statement where the
        // session's previous statement ran (a write after a read failed with 25006).
        + "&prepareThreshold=0";
  }

  static HikariDataSource open() {
    HikariConfig c = new HikariConfig();
    c.setJdbcUrl(url());
    c.setUsername(System.getenv("DBUSER"));
    c.setPassword(System.getenv("PGPASSWORD"));
    c.setMaximumPoolSize(4);
    c.setMinimumIdle(1);
    // How long getConnection() waits for a connection (Hikari's default is 30 s).
    c.setConnectionTimeout(5000);
    // Hikari checks a connection idle for 500 ms before lending it (isValid, a statement the
    // router sends to the writer); on a hung writer each check stalled 5 s (its default), so
    // after a paused primary getConnection() kept timing out after the writer had moved.
    c.setValidationTimeout(1000);
    // Start even when no router answers yet: the pool keeps trying on its own.
    c.setInitializationFailTimeout(-1);
    return new HikariDataSource(c);
  }

  static String firstLine(Throwable e) {
    String m = String.valueOf(e.getMessage());
    int i = m.indexOf('\n');
    m = i >= 0 ? m.substring(0, i) : m;
    return m.length() > 200 ? m.substring(0, 200) : m;
  }

  public static void main(String[] args) throws Exception {
    String driver = System.getenv("DRIVER");
    long interval = Long.parseLong(System.getenv("INTERVAL_MS"));
    long recreateAfter = Long.parseLong(System.getenv("RECREATE_AFTER_MS"));
    String pgjdbc = org.postgresql.Driver.class.getPackage().getImplementationVersion();
    if (pgjdbc == null) pgjdbc = new org.postgresql.Driver().getMajorVersion() + "." + new org.postgresql.Driver().getMinorVersion();
    // Debian's jars carry no Implementation-Version: run-client passes the package's.
    String hikari = System.getenv("HIKARICP_VERSION");
    emit("{\"ev\":\"hello\",\"t\":" + System.currentTimeMillis() + ",\"driver\":" + q(driver) + ",\"version\":" + q("pgjdbc " + pgjdbc + ", HikariCP " + hikari + " (Java " + System.getProperty("java.version") + ")")
        + ",\"pool\":" + q("HikariCP maximumPoolSize=4 minimumIdle=1 connectionTimeout=5000 validationTimeout=1000 initializationFailTimeout=-1; " + url()) + "}");
    HikariDataSource ds = open();
    long key = 0;
    Long failingSince = null;
    while (true) {
      for (String op : new String[] {"write", "read"}) {
        boolean write = op.equals("write");
        if (write) key++;
        long t0 = System.currentTimeMillis();
        try (Connection conn = ds.getConnection(); PreparedStatement st = conn.prepareStatement(write ? WRITE_SQL : READ_SQL)) {
          if (write) {
            st.setString(1, driver);
            st.setLong(2, key);
          }
          try (ResultSet rs = st.executeQuery()) {
            rs.next();
            emit("{\"ev\":\"op\",\"op\":\"" + op + "\",\"key\":" + (write ? key : "null") + ",\"t0\":" + t0 + ",\"t1\":" + System.currentTimeMillis()
                + ",\"ok\":true,\"node\":" + q(rs.getString(1)) + "}");
          }
          failingSince = null;
        } catch (Exception e) {
          long t1 = System.currentTimeMillis();
          String state = e instanceof SQLException ? ((SQLException) e).getSQLState() : null;
          emit("{\"ev\":\"op\",\"op\":\"" + op + "\",\"key\":" + (write ? key : "null") + ",\"t0\":" + t0 + ",\"t1\":" + t1
              + ",\"ok\":false,\"cls\":" + q(e.getClass().getSimpleName()) + ",\"sqlstate\":" + q(state) + ",\"msg\":" + q(firstLine(e)) + "}");
          if (failingSince == null) failingSince = t0;
          if (t1 - failingSince >= recreateAfter) {
            emit("{\"ev\":\"recreate\",\"t\":" + t1 + ",\"reason\":" + q("no success for " + (t1 - failingSince) + " ms") + "}");
            ds.close();
            ds = open();
            failingSince = null;
            break;
          }
        }
      }
      Thread.sleep(interval);
    }
  }
}
