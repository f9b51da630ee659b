package dev.latchkey.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.latchkey.testkit.MutableClock;
import dev.latchkey.server.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * {@code /openapi.json} and the routes the server really has, compared both ways (method and
 * path template): a route added without its description, or a description without its route,
 * fails here, naming each.
 */
class OpenApiContractTest {
    /**
     * In the contract and described, but not served by this build yet. Empty it as the routes
     * land; the test fails when an entry here is served, so the list cannot go stale.
     */
    private static final Set<String> DESCRIBED_NOT_YET_SERVED = Set.of();

    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options", "trace");

    @Test
    void everyRouteIsDescribedAndEveryDescribedRouteIsServed() throws IOException {
        Set<String> served;
        try (TestServer server = TestServer.start(TestServer.Engine.SQLITE, new MutableClock(), Map.of("LATCHKEY_DEMO", "true"))) {
            served = new TreeSet<>(server.server().routes().stream().map(OpenApiContractTest::template).toList());
        }
        Set<String> described = described(document());

        Set<String> undescribed = new TreeSet<>(served);
        undescribed.removeAll(described);
        Set<String> unserved = new TreeSet<>(described);
        unserved.removeAll(served);
        unserved.removeAll(DESCRIBED_NOT_YET_SERVED);
        Set<String> nowServed = new TreeSet<>(DESCRIBED_NOT_YET_SERVED);
        nowServed.retainAll(served);

        assertThat(undescribed).as("served but missing from openapi.json").isEmpty();
        assertThat(unserved).as("in openapi.json but not served").isEmpty();
        assertThat(nowServed).as("served now: remove from DESCRIBED_NOT_YET_SERVED").isEmpty();
        assertThat(described).as("not-yet-served entries must still be described").containsAll(DESCRIBED_NOT_YET_SERVED);
    }

    @Test
    void theDocumentIsOpenApi31WithTheContractsShapes() throws IOException {
        JsonNode doc = document();
        assertThat(doc.path("openapi").asText()).matches("3\\.1\\.\\d+");
        assertThat(doc.path("info").path("title").asText()).isNotEmpty();
        assertThat(doc.path("info").path("version").asText()).isNotEmpty();

        JsonNode schemes = doc.path("components").path("securitySchemes");
        assertThat(schemes.path("bearerAuth").path("scheme").asText()).isEqualTo("bearer");
        assertThat(schemes.path("bearerAuth").path("bearerFormat").asText()).isEqualTo("JWT");
        assertThat(schemes.path("refreshCookie").path("in").asText()).isEqualTo("cookie");
        assertThat(schemes.path("refreshCookie").path("name").asText()).isEqualTo("refresh_token");
        assertThat(schemes.path("csrfHeader").path("in").asText()).isEqualTo("header");
        assertThat(schemes.path("csrfHeader").path("name").asText()).isEqualTo("X-CSRF-Token");

        JsonNode error = doc.path("components").path("schemas").path("Error");
        assertThat(names(error.path("required"))).containsExactlyInAnyOrder("error", "code");
        assertThat(names(error.path("properties").fieldNames())).containsExactlyInAnyOrder("error", "code", "fields");

        JsonNode refresh = doc.path("paths").path("/auth/refresh").path("post");
        assertThat(refresh.path("security").toString()).contains("refreshCookie", "csrfHeader");
        assertThat(refresh.path("responses").has("403")).isTrue();

        // Every operation answers something, and every $ref points at something that exists.
        doc.path("paths").properties().forEach(path -> path.getValue().properties().forEach(op -> {
            if (METHODS.contains(op.getKey())) {
                assertThat(op.getValue().path("responses").size()).as(op.getKey() + " " + path.getKey()).isPositive();
            }
        }));
        List<String> refs = new ArrayList<>();
        collectRefs(doc, refs);
        assertThat(refs).isNotEmpty();
        for (String ref : refs) {
            assertThat(ref).startsWith("#/");
            assertThat(doc.at(ref.substring(1)).isMissingNode()).as(ref).isFalse();
        }
    }

    @Test
    void limitedRoutesAnswer429And503WithRetryAfterAndEveryResponseCarriesItsRequestId() throws IOException {
        JsonNode doc = document();
        for (String path : List.of("/auth/register", "/auth/login", "/auth/refresh", "/auth/password")) {
            JsonNode responses = doc.path("paths").path(path).path("post").path("responses");
            for (String status : List.of("429", "503")) {
                JsonNode response = resolve(doc, responses.path(status));
                assertThat(response.path("headers").has("Retry-After")).as(status + " " + path + " has Retry-After").isTrue();
            }
        }
        doc.path("paths").properties().forEach(path -> path.getValue().properties().forEach(op -> {
            if (METHODS.contains(op.getKey())) {
                op.getValue().path("responses").properties().forEach(r ->
                        assertThat(resolve(doc, r.getValue()).path("headers").has("X-Request-Id"))
                                .as(r.getKey() + " of " + op.getKey() + " " + path.getKey() + " has X-Request-Id")
                                .isTrue());
            }
        }));
    }

    private static JsonNode resolve(JsonNode doc, JsonNode node) {
        return node.has("$ref") ? doc.at(node.path("$ref").asText().substring(1)) : node;
    }

    private static JsonNode document() throws IOException {
        try (InputStream in = OpenApiContractTest.class.getResourceAsStream("/dev/latchkey/server/web/openapi.json")) {
            assertThat(in).as("openapi.json on the classpath").isNotNull();
            return new ObjectMapper().readTree(in);
        }
    }

    private static Set<String> described(JsonNode doc) {
        Set<String> routes = new TreeSet<>();
        doc.path("paths").properties().forEach(path -> path.getValue().fieldNames().forEachRemaining(method -> {
            if (METHODS.contains(method)) {
                routes.add(method.toUpperCase() + " " + path.getKey());
            }
        }));
        return routes;
    }

    /** Javalin's {@code <param>} written as OpenAPI's {@code {param}}. */
    private static String template(String route) {
        return route.replaceAll("<([^>]+)>", "{$1}");
    }

    private static void collectRefs(JsonNode node, List<String> refs) {
        if (node.isObject()) {
            node.properties().forEach(e -> {
                if (e.getKey().equals("$ref")) {
                    refs.add(e.getValue().asText());
                } else {
                    collectRefs(e.getValue(), refs);
                }
            });
        } else if (node.isArray()) {
            node.forEach(child -> collectRefs(child, refs));
        }
    }

    private static List<String> names(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static List<String> names(Iterator<String> it) {
        List<String> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }
}
