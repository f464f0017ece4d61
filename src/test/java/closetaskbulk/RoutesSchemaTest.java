package closetaskbulk;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every shipped route file, the Kamelet's template and the examples are valid against the YAML DSL's JSON
 * schema in the camel-yaml-dsl jar (what Kaoto and the IDE plugins read): a placeholder stands only where the
 * schema takes a string.
 */
class RoutesSchemaTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void routesKameletAndExamplesMatchTheSchema() throws IOException {
        Schema schema;
        try (InputStream in = RoutesSchemaTest.class.getResourceAsStream("/schema/camelYamlDsl.json")) {
            schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4).getSchema(in);
        }
        List<Path> files = new ArrayList<>();
        files.addAll(yamlFiles(Path.of("routes")));
        files.addAll(yamlFiles(Path.of("examples")));
        assertTrue(files.size() >= 9, "route files found: " + files);

        List<String> errors = new ArrayList<>();
        for (Path file : files) {
            errors.addAll(places(file, schema.validate(read(file))));
        }
        for (Path kamelet : yamlFiles(Path.of("kamelets"))) {
            errors.addAll(places(kamelet, schema.validate(kameletTemplate(kamelet))));
        }
        assertEquals(List.of(), errors, errors.size() + " places");
    }

    /** One line per place: a oneOf reports every alternative up the path, the deepest says what is wrong. */
    private static List<String> places(Path file, List<Error> errors) {
        Map<String, String> deepest = new TreeMap<>();
        for (Error e : errors) {
            String at = e.getInstanceLocation().toString();
            deepest.merge(at, e.getMessage(), (first, next) -> first.contains("expected") ? first : next);
        }
        return deepest.entrySet().stream()
                .filter(at -> deepest.keySet().stream().noneMatch(other -> other.startsWith(at.getKey() + "/")))
                .map(at -> file + " " + at.getKey() + ": " + at.getValue())
                .toList();
    }

    private static List<Path> yamlFiles(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
    }

    private static JsonNode read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return JSON.valueToTree(new Load(LoadSettings.builder().build()).loadFromInputStream(in));
        }
    }

    /** A Kamelet's {@code spec.template} (its beans and its from) is a route template's body. */
    private static JsonNode kameletTemplate(Path kamelet) throws IOException {
        JsonNode template = read(kamelet).path("spec").path("template");
        return JSON.valueToTree(List.of(Map.of("routeTemplate",
                Map.of("id", kamelet.getFileName().toString(), "beans", template.path("beans"), "from", template.path("from")))));
    }
}
