package dev.usher.deploy;

import dev.usher.proxy.ProxySettings;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.Collection;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.OptionSpec;

/**
 * One data-plane flag: everything about it in one declaration (see {@link ProxyOptions#FLAGS}).
 *
 * <p>{@code setting} is the name of the {@link ProxySettings} record component the flag sets; the default shown in
 * {@code --help} is read from {@link ProxySettings#defaults()} through that component, so it cannot drift.
 *
 * @param name the flag, e.g. {@code --connect-timeout}
 * @param setting the record component it sets, e.g. {@code connectTimeout}
 * @param label the parameter label in help, or {@code null} for an on/off flag (no value)
 * @param description the help text; {@code ${DEFAULT-VALUE}} in it becomes the default, formatted as the flag takes it
 * @param type the parsed value's type ({@code Boolean} for an on/off flag)
 * @param converter parses the value, or {@code null} for picocli's own conversion of {@code type}
 * @param split a regex splitting one value into several (the flag then collects a {@code List<String>}), or null
 * @param apply puts a given value onto the builder
 * @param <T> the parsed value's type
 */
record ProxyFlag<T>(
        String name,
        String setting,
        String label,
        String description,
        Class<T> type,
        ITypeConverter<T> converter,
        String split,
        BiConsumer<ProxySettings.Builder, T> apply) {

    private static final String DEFAULT = "${DEFAULT-VALUE}";

    ProxyFlag {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(setting, "setting");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(apply, "apply");
        component(setting); // fails at class initialisation on a misspelt setting
    }

    /** A flag taking a value. */
    static <T> ProxyFlag<T> of(
            String name,
            String setting,
            String label,
            Class<T> type,
            ITypeConverter<T> converter,
            BiConsumer<ProxySettings.Builder, T> apply,
            String description) {
        return new ProxyFlag<>(name, setting, label, description, type, converter, null, apply);
    }

    /** An on/off flag: present means {@code true}. */
    static ProxyFlag<Boolean> onOff(
            String name, String setting, BiConsumer<ProxySettings.Builder, Boolean> apply, String description) {
        return new ProxyFlag<>(name, setting, null, description, Boolean.class, null, null, apply);
    }

    /** The default of {@code setting} as the flag would take it, e.g. {@code 5s}, {@code round-robin}. */
    String defaultText() {
        return show(valueIn(ProxySettings.defaults()));
    }

    /** This flag's value in {@code settings}, read through the record accessor. */
    Object valueIn(ProxySettings settings) {
        try {
            return component(setting).getAccessor().invoke(settings);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The help text with the default filled in. */
    String helpText() {
        return description.contains(DEFAULT) ? description.replace(DEFAULT, defaultText()) : description;
    }

    /** The picocli option; its parsed value stays in the option itself ({@code null} while the flag is not given). */
    OptionSpec toOption() {
        OptionSpec.Builder option =
                OptionSpec.builder(name).description(helpText()).type(type);
        if (label != null) {
            option.paramLabel(label);
        }
        if (converter != null) {
            option.converters(converter);
        }
        if (split != null) {
            option.splitRegex(split).auxiliaryTypes(String.class);
        }
        return option.build();
    }

    /** Applies the option's parsed value, if the flag was given. */
    void applyTo(ProxySettings.Builder builder, OptionSpec option) {
        Object value = option.getValue();
        if (value != null) {
            apply.accept(builder, type.cast(value));
        }
    }

    static RecordComponent component(String setting) {
        for (RecordComponent c : ProxySettings.class.getRecordComponents()) {
            if (c.getName().equals(setting)) {
                return c;
            }
        }
        throw new IllegalArgumentException("ProxySettings has no component " + setting);
    }

    /** Formats a value as a flag takes it: durations {@code 5s}, enums {@code round-robin}, sets sorted. */
    static String show(Object value) {
        if (value instanceof Duration d) {
            return Converters.format(d);
        }
        if (value instanceof Enum<?> e) {
            return Converters.flag(e);
        }
        if (value instanceof Collection<?> c) {
            return c.stream().map(String::valueOf).collect(Collectors.toCollection(TreeSet::new)).stream()
                    .collect(Collectors.joining(","));
        }
        return String.valueOf(value);
    }
}
