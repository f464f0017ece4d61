package closetaskbulk.emulator;

import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** An error answer of the emulator, with Close's body shapes. */
public class CloseError extends RuntimeException {

    private static final ObjectMapper JSON = new ObjectMapper();

    final int status;
    final ObjectNode body;

    CloseError(int status, ObjectNode body) {
        super(body.toString(), null, false, false);
        this.status = status;
        this.body = body;
    }

    static CloseError of(int status, String message) {
        ObjectNode b = JSON.createObjectNode();
        b.put("error", message);
        return new CloseError(status, b);
    }

    static CloseError badRequest(String message) {
        return of(400, message);
    }

    static CloseError fieldErrors(Map<String, String> errors) {
        ObjectNode b = JSON.createObjectNode();
        b.putArray("errors");
        ObjectNode fe = b.putObject("field-errors");
        errors.forEach(fe::put);
        return new CloseError(400, b);
    }
}
