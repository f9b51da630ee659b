package dev.latchkey.examples.resourceserver;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationConverter;
import org.springframework.security.oauth2.server.resource.authentication.JwtGrantedAuthoritiesConverter;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Everything a Spring team adds to trust Latchkey's access tokens, beyond
 * {@code spring.security.oauth2.resourceserver.jwt.issuer-uri}.
 */
@Configuration
public class SecurityConfig {

    @Bean
    SecurityFilterChain api(HttpSecurity http) throws Exception {
        http.authorizeHttpRequests(requests -> requests
                        .requestMatchers("/admin/**").hasRole("admin")
                        .anyRequest().authenticated())
                .oauth2ResourceServer(resourceServer -> resourceServer.jwt(Customizer.withDefaults()))
                .sessionManagement(sessions -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .csrf(csrf -> csrf.disable()); // bearer tokens only, no cookies: nothing for CSRF to ride on
        return http.build();
    }

    /**
     * The one bean that matters. Latchkey's access tokens are RFC 9068 JWTs ({@code typ: at+jwt}),
     * and Spring Security's default decoder accepts only {@code typ: JWT}. So: keys and
     * {@code jwks_uri} from the issuer's discovery document, Nimbus's own {@code typ} check off,
     * and Spring's RFC 9068 validator set on (it checks {@code typ} is {@code at+jwt}, {@code iss},
     * {@code aud}, {@code client_id}, {@code exp}/{@code nbf} with 60 s of clock skew, and that
     * {@code sub}, {@code iat} and {@code jti} are there).
     */
    @Bean
    JwtDecoder jwtDecoder(@Value("${spring.security.oauth2.resourceserver.jwt.issuer-uri}") String issuer,
                          @Value("${latchkey.audience:latchkey}") String audience,
                          @Value("${latchkey.client-id:latchkey-web}") String clientId) {
        NimbusJwtDecoder decoder = NimbusJwtDecoder.withIssuerLocation(issuer)
                .validateType(false) // typ is checked by the RFC 9068 validator below instead
                .build();
        decoder.setJwtValidator(JwtValidators.createAtJwtValidator()
                .issuer(issuer)
                .audience(audience)
                .clientId(clientId)
                .build());
        return decoder;
    }

    /** Latchkey's {@code role} claim ({@code user}, {@code admin}) becomes the authority {@code ROLE_<role>}. */
    @Bean
    JwtAuthenticationConverter jwtAuthenticationConverter() {
        JwtGrantedAuthoritiesConverter roles = new JwtGrantedAuthoritiesConverter();
        roles.setAuthoritiesClaimName("role");
        roles.setAuthorityPrefix("ROLE_");
        JwtAuthenticationConverter converter = new JwtAuthenticationConverter();
        converter.setJwtGrantedAuthoritiesConverter(roles);
        return converter;
    }
}
