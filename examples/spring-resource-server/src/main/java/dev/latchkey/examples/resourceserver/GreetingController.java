package dev.latchkey.examples.resourceserver;

import java.util.Map;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** What a signed-in Latchkey user can see; {@code /admin} is for role {@code admin} only (see {@link SecurityConfig}). */
@RestController
public class GreetingController {

    @GetMapping("/hello")
    public Map<String, String> hello(@AuthenticationPrincipal Jwt token) {
        return Map.of(
                "message", "Hello, " + token.getSubject() + "!",
                "subject", token.getSubject(),
                "role", token.getClaimAsString("role"));
    }

    @GetMapping("/admin")
    public Map<String, String> admin(@AuthenticationPrincipal Jwt token) {
        return Map.of(
                "message", "Welcome to the admin area, " + token.getSubject() + ".",
                "subject", token.getSubject());
    }
}
