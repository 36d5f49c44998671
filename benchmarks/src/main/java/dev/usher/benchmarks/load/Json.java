package dev.usher.benchmarks.load;

import java.math.BigDecimal;
import java.math.MathContext;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.StreamWriteFeature;
import tools.jackson.core.util.DefaultIndenter;
import tools.jackson.core.util.DefaultPrettyPrinter;
import tools.jackson.core.util.Separators;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.databind.ser.std.StdSerializer;

/** Writes the harness's maps, lists, strings, numbers, booleans and nulls as indented JSON, through Jackson. */
final class Json {

    private static final DefaultIndenter TWO_SPACES = new DefaultIndenter("  ", "\n");
    private static final DefaultPrettyPrinter PRETTY = new DefaultPrettyPrinter(Separators.createDefaultInstance()
                    .withObjectNameValueSpacing(Separators.Spacing.AFTER)
                    .withObjectEmptySeparator("")
                    .withArrayEmptySeparator(""))
            .withObjectIndenter(TWO_SPACES)
            .withArrayIndenter(TWO_SPACES);
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .defaultPrettyPrinter(PRETTY)
            .addModule(new SimpleModule("measurements")
                    .addSerializer(Double.class, new Measurement<>(Double.class))
                    .addSerializer(Float.class, new Measurement<>(Float.class)))
            .build();

    private Json() {}

    static String write(Object value) {
        return MAPPER.writeValueAsString(value) + "\n";
    }

    /** Six significant digits are plenty for measurements; JSON has no NaN or infinity, so those become null. */
    private static final class Measurement<T extends Number> extends StdSerializer<T> {

        private static final MathContext SIX_DIGITS = new MathContext(6);

        Measurement(Class<T> type) {
            super(type);
        }

        @Override
        public void serialize(T value, JsonGenerator json, SerializationContext context) {
            double number = value.doubleValue();
            if (Double.isFinite(number)) {
                json.writeNumber(new BigDecimal(number).round(SIX_DIGITS).stripTrailingZeros());
            } else {
                json.writeNull();
            }
        }
    }
}
