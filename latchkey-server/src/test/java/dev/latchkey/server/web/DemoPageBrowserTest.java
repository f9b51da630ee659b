package dev.latchkey.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import com.sun.net.httpserver.HttpServer;
import dev.latchkey.server.Browser;
import dev.latchkey.server.Client;
import dev.latchkey.server.TestServer;
import dev.latchkey.server.mail.SmtpServer;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.slf4j.LoggerFactory;

/**
 * The demo page and latchkey.js in a real browser: Debian's Chromium driven through Debian's
 * chromedriver (named explicitly, so nothing is ever downloaded), against a Latchkey on
 * {@code http://localhost:<port>}, a secure context where the {@code Secure} cookies work
 * without TLS. Access tokens live 3 s with no clock leeway, so expiry happens for real. Mails
 * go to a real SMTP server, and their links are opened in the browser as a reader would.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DemoPageBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final String PASSWORD = "correct horse battery staple";
    private static final String NEW_PASSWORD = "a brand new long passphrase";
    private static final Duration ACCESS_TOKEN_TTL = Duration.ofSeconds(3);
    private static final AtomicInteger USERS = new AtomicInteger();

    private final AccessLog accessLog = new AccessLog();
    private TestServer server;
    private SmtpServer smtp;
    private String base;
    private ChromeDriver driver;
    private HttpServer foreignSite;
    private Path profile;

    @BeforeAll
    void start() throws IOException {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!present && !"true".equals(System.getenv("CI"))) {
            Assumptions.abort("needs Debian's chromium and chromium-driver (scripts/test.sh installs them)");
        }
        int port = freePort();
        base = "http://localhost:" + port;
        smtp = SmtpServer.start();
        server = TestServer.start(TestServer.Engine.SQLITE, Clock.systemUTC(), Map.of(
                "PORT", Integer.toString(port),
                "LATCHKEY_ISSUER", base,
                "LATCHKEY_DEMO", "true",
                "LATCHKEY_ACCESS_TOKEN_TTL", ACCESS_TOKEN_TTL.toSeconds() + "s",
                "LATCHKEY_CLOCK_LEEWAY", "0s",
                "LATCHKEY_SMTP_URL", smtp.url(),
                "LATCHKEY_MAIL_FROM", "Latchkey <no-reply@latchkey.test>",
                "LATCHKEY_PUBLIC_URL", base + "/"));
        accessLog.attach();

        profile = Files.createTempDirectory("latchkey-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1000,1250", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .withLogFile(new File("target/chromedriver.log"))
                .build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(15));

        foreignSite = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        foreignSite.createContext("/attack", exchange -> {
            byte[] page = attackPage().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, page.length);
            exchange.getResponseBody().write(page);
            exchange.close();
        });
        foreignSite.start();
    }

    @AfterAll
    void stop() {
        if (driver != null) {
            driver.quit();
        }
        if (foreignSite != null) {
            foreignSite.stop(0);
        }
        accessLog.detach();
        if (server != null) {
            server.close();
        }
        if (smtp != null) {
            smtp.close();
        }
    }

    @BeforeEach
    void oneTabNoCookies() {
        if (driver == null) {
            return;
        }
        String first = driver.getWindowHandles().iterator().next();
        for (String handle : driver.getWindowHandles()) {
            if (!handle.equals(first)) {
                driver.switchTo().window(handle).close();
            }
        }
        driver.switchTo().window(first);
        driver.get(base + "/healthz");
        driver.manage().deleteAllCookies();
    }

    @Test
    void theTokenStaysInMemoryAndAnExpiredOneIsRefreshedSilently() throws IOException {
        String email = registerInPage();

        String visibleCookies = (String) js("return document.cookie");
        assertThat(visibleCookies).contains("csrf_token=").doesNotContain("refresh_token");
        Map<String, Object> refreshCookie = refreshCookie();
        assertThat(refreshCookie).isNotNull();
        assertThat(refreshCookie).containsEntry("httpOnly", true).containsEntry("secure", true)
                .containsEntry("path", "/auth").containsEntry("sameSite", "Strict");
        assertThat(js("return localStorage.length + sessionStorage.length")).isEqualTo(0L);
        assertThat(js("return indexedDB.databases().then(d => d.length)")).isEqualTo(0L);

        waitUntil("the access token has expired", () -> text("countdown").startsWith("expired"));
        int refreshes = refreshCount();
        accessLog.clear();
        driver.findElement(By.id("reload")).click();
        waitUntil("a silent refresh", () -> refreshCount() == refreshes + 1);
        waitUntil("the profile", () -> text("status").startsWith("Profile loaded"));
        assertThat(state()).isEqualTo("signed-in");
        assertThat(text("profile-email")).isEqualTo(email);
        waitUntil("the access log", () -> accessLog.has("GET /auth/sessions 200"));
        assertThat(accessLog.lines()).containsSubsequence("GET /api/me 401", "POST /auth/refresh 200", "GET /api/me 200");
        assertThat(accessLog.count("POST /auth/refresh 200")).isEqualTo(1);
        assertThat(refreshCookie().get("value")).isNotEqualTo(refreshCookie.get("value"));
        assertThat(js("return localStorage.length + sessionStorage.length")).isEqualTo(0L);

        waitUntil("the countdown", () -> text("countdown").startsWith("expires in"));
        Path artifacts = Path.of("target", "test-artifacts");
        Files.createDirectories(artifacts);
        Files.write(artifacts.resolve("demo.png"), driver.getScreenshotAs(OutputType.BYTES));
    }

    @Test
    void twoTabsRefreshingAtTheSameMomentBothStayLoggedIn() {
        registerInPage();
        String first = driver.getWindowHandle();
        String second = openTab();
        for (String tab : List.of(first, second)) {
            driver.switchTo().window(tab);
            js("const go = new BroadcastChannel('e2e-go');"
                    + "go.onmessage = () => document.getElementById('refresh').click(); window.e2eGo = go;");
        }
        int firstBefore = refreshCountIn(first);
        int secondBefore = refreshCountIn(second);
        accessLog.clear();

        driver.switchTo().window(first);
        js("new BroadcastChannel('e2e-go').postMessage('go')");

        waitUntil("both tabs refreshed", () -> refreshCountIn(first) == firstBefore + 1 && refreshCountIn(second) == secondBefore + 1);
        assertThat(accessLog.count("POST /auth/refresh 200")).isEqualTo(2);
        assertThat(accessLog.count("POST /auth/refresh 4")).isZero();
        for (String tab : List.of(first, second)) {
            driver.switchTo().window(tab);
            driver.findElement(By.id("reload")).click();
            waitUntil("the profile in each tab", () -> text("status").startsWith("Profile loaded"));
            assertThat(state()).isEqualTo("signed-in");
            waitUntil("one live session", () -> driver.findElements(By.cssSelector("#sessions tbody tr")).size() == 1);
        }
    }

    @Test
    void logoutInOneTabEndsTheOther() {
        registerInPage();
        String first = driver.getWindowHandle();
        String second = openTab();
        driver.switchTo().window(first);
        driver.findElement(By.id("logout")).click();
        waitUntil("the first tab logs out", () -> "signed-out".equals(state()));
        assertThat(text("status")).isEqualTo("You are logged out.");

        driver.switchTo().window(second);
        if ("signed-in".equals(state())) {
            driver.findElement(By.id("reload")).click();
        }
        waitUntil("the second tab logs out", () -> "signed-out".equals(state()));
        assertThat(refreshCookie()).isNull();
        assertThat((String) js("return document.cookie")).doesNotContain("csrf_token=");
    }

    @Test
    void aRevokedSessionEndsAtTheNextCall() {
        String email = registerInPage();
        // The same user on another device revokes this browser's session.
        Browser other = new Browser(new Client(base));
        assertThat(other.login(email, PASSWORD).status()).isEqualTo(200);
        String browserSession = null;
        for (var session : other.get("/auth/sessions").json()) {
            if (!session.get("current").asBoolean()) {
                browserSession = session.get("id").asText();
            }
        }
        assertThat(browserSession).isNotNull();
        assertThat(other.get("/auth/sessions").status()).isEqualTo(200);
        assertThat(new Client(base).delete("/auth/sessions/" + browserSession, "Authorization", "Bearer " + other.accessToken)
                .status()).isEqualTo(204);

        assertThat(state()).isEqualTo("signed-in");
        driver.findElement(By.id("reload")).click();
        waitUntil("the page ends the session", () -> "signed-out".equals(state()));
        assertThat(text("status")).contains("TOKEN_REVOKED");
    }

    @Test
    void theMailedVerificationLinkVerifiesTheAddressInThePage() {
        String email = registerInPage();
        assertThat(text("profile-verified")).isEqualTo("no");
        String link = SmtpServer.link(smtp.awaitMail(email), "verify");
        assertThat(link).startsWith(base + "/?verify=");
        accessLog.clear();

        driver.get(link);

        waitUntil("the verification", () -> "Your email address is verified.".equals(text("status")));
        assertThat(state()).isEqualTo("signed-in");
        assertThat(text("profile-verified")).isEqualTo("yes");
        assertThat(driver.getCurrentUrl()).as("the spent token is out of the address bar").isEqualTo(base + "/");
        assertThat(accessLog.count("POST /auth/verify-email 204")).isEqualTo(1);

        driver.get(link);
        waitUntil("the refusal of a spent link",
                () -> "This verification link is invalid, already used or expired.".equals(text("status")));
        assertThat(text("profile-verified")).isEqualTo("yes");
    }

    @Test
    void theMailedResetLinkSetsANewPasswordInThePage() {
        String email = registerInPage();
        smtp.awaitMail(email); // the verification mail
        assertThat(new Client(base).postJson("/auth/password-reset", Client.json("email", email)).status()).isEqualTo(202);
        String link = SmtpServer.link(smtp.awaitMails(email, 2).getLast(), "reset");
        assertThat(link).startsWith(base + "/?reset=");

        driver.get(link);
        waitUntil("the new-password form", () -> "reset".equals(state()));
        assertThat(driver.getCurrentUrl()).isEqualTo(base + "/");
        driver.findElement(By.id("new-password")).sendKeys("too short");
        driver.findElement(By.id("reset-submit")).click();
        waitUntil("the policy's answer", () -> text("status").startsWith("newPassword:"));
        assertThat(state()).as("the form stays for another try").isEqualTo("reset");

        driver.findElement(By.id("new-password")).clear();
        driver.findElement(By.id("new-password")).sendKeys(NEW_PASSWORD);
        driver.findElement(By.id("reset-submit")).click();
        waitUntil("the new password is set", () -> "signed-out".equals(state()));
        assertThat(text("status")).startsWith("Your password was changed");

        driver.findElement(By.id("email")).sendKeys(email);
        driver.findElement(By.id("password")).sendKeys(NEW_PASSWORD);
        driver.findElement(By.id("login")).click();
        waitUntil("logged in with the new password", () -> "signed-in".equals(state()) && email.equals(text("profile-email")));
        assertThat(text("profile-verified")).as("the reset link proved the address").isEqualTo("yes");

        driver.get(link);
        waitUntil("the form again", () -> "reset".equals(state()));
        driver.findElement(By.id("new-password")).sendKeys(NEW_PASSWORD + " again");
        driver.findElement(By.id("reset-submit")).click();
        waitUntil("the refusal of a spent link", () -> "signed-out".equals(state()));
        assertThat(text("status")).isEqualTo("This password-reset link is invalid, already used or expired: ask for a new one.");
    }

    @Test
    void aPageOfAnotherOriginCannotRefresh() {
        registerInPage();
        String victim = driver.getWindowHandle();
        Object refreshBefore = refreshCookie().get("value");
        String csrfBefore = driver.manage().getCookieNamed("csrf_token").getValue();
        accessLog.clear();

        driver.switchTo().newWindow(WindowType.TAB);
        driver.get("http://127.0.0.1:" + foreignSite.getAddress().getPort() + "/attack");
        waitUntil("the forged form post lands", () -> driver.getCurrentUrl().startsWith(base + "/auth/refresh"));
        waitUntil("its answer", () -> driver.getPageSource().contains("CSRF_FAILED"));
        waitUntil("both forged requests logged", () -> accessLog.count("POST /auth/refresh 403") == 2);
        assertThat(accessLog.count("POST /auth/refresh 200")).isZero();
        assertThat(accessLog.count("POST /auth/refresh 401")).isZero();
        driver.close();

        driver.switchTo().window(victim);
        assertThat(refreshCookie().get("value")).isEqualTo(refreshBefore);
        assertThat(driver.manage().getCookieNamed("csrf_token").getValue()).isEqualTo(csrfBefore);
        int refreshes = refreshCount();
        driver.findElement(By.id("refresh")).click();
        waitUntil("the victim still refreshes", () -> refreshCount() == refreshes + 1);
        driver.findElement(By.id("reload")).click();
        waitUntil("the victim's profile", () -> text("status").startsWith("Profile loaded"));
        assertThat(state()).isEqualTo("signed-in");
    }

    /** Opens the demo, registers a new user through the form, and waits for the signed-in page. */
    private String registerInPage() {
        driver.get(base + "/");
        waitUntil("the page", () -> "signed-out".equals(state()));
        String email = "e2e" + USERS.incrementAndGet() + "-" + System.nanoTime() + "@example.com";
        driver.findElement(By.id("email")).sendKeys(email);
        driver.findElement(By.id("password")).sendKeys(PASSWORD);
        driver.findElement(By.id("register")).click();
        waitUntil("signed in", () -> "signed-in".equals(state()) && email.equals(text("profile-email")));
        waitUntil("the sessions list", () -> !driver.findElements(By.cssSelector("#sessions tbody tr")).isEmpty());
        return email;
    }

    /** A second tab of the same browser on the demo page; it picks the session up from the shared cookie. */
    private String openTab() {
        driver.switchTo().newWindow(WindowType.TAB);
        driver.get(base + "/");
        waitUntil("the second tab adopts the session", () -> "signed-in".equals(state()));
        return driver.getWindowHandle();
    }

    private String attackPage() {
        String target = base + "/auth/refresh";
        return "<!doctype html><title>not Latchkey</title>"
                + "<form id=\"forged\" method=\"post\" action=\"" + target + "\"></form>"
                + "<script>fetch('" + target + "', {method: 'POST', credentials: 'include'})"
                + ".then(r => 'answered ' + r.status, e => 'blocked ' + e.name)"
                + ".then(t => { document.title = t; document.getElementById('forged').submit(); });</script>";
    }

    /**
     * The refresh cookie as the browser keeps it. WebDriver only lists the cookies of the current
     * page's path, and this one is scoped to /auth, so ask Chromium for the cookies of that URL.
     */
    @SuppressWarnings("unchecked")
    private Map<String, Object> refreshCookie() {
        Map<String, Object> answer = driver.executeCdpCommand("Network.getCookies", Map.of("urls", List.of(base + "/auth/refresh")));
        for (Map<String, Object> cookie : (List<Map<String, Object>>) answer.get("cookies")) {
            if ("refresh_token".equals(cookie.get("name"))) {
                return cookie;
            }
        }
        return null;
    }

    private Object js(String script) {
        return ((JavascriptExecutor) driver).executeScript(script);
    }

    private String state() {
        return (String) js("return document.body.dataset.state");
    }

    private String text(String id) {
        return driver.findElement(By.id(id)).getText().trim();
    }

    private int refreshCount() {
        return Integer.parseInt(text("refresh-count"));
    }

    private int refreshCountIn(String tab) {
        driver.switchTo().window(tab);
        return refreshCount();
    }

    private void waitUntil(String what, java.util.function.BooleanSupplier condition) {
        new WebDriverWait(driver, Duration.ofSeconds(15), Duration.ofMillis(100))
                .withMessage(what)
                .until(d -> condition.getAsBoolean());
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The server's access log ("METHOD /path status Nms"), as the network saw it. */
    private static final class AccessLog extends AppenderBase<ILoggingEvent> {
        private final ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();

        void attach() {
            setContext((ch.qos.logback.classic.LoggerContext) LoggerFactory.getILoggerFactory());
            start();
            ((Logger) LoggerFactory.getLogger("latchkey.access")).addAppender(this);
        }

        void detach() {
            ((Logger) LoggerFactory.getLogger("latchkey.access")).detachAppender(this);
        }

        @Override
        protected void append(ILoggingEvent event) {
            lines.add(event.getFormattedMessage());
        }

        void clear() {
            lines.clear();
        }

        List<String> lines() {
            return lines.stream().map(l -> l.replaceAll(" \\d+ms$", "")).toList();
        }

        boolean has(String line) {
            return lines().contains(line);
        }

        long count(String prefix) {
            return lines().stream().filter(l -> l.startsWith(prefix)).count();
        }
    }
}
