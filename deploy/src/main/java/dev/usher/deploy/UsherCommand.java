package dev.usher.deploy;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The top-level {@code usher} command; on its own it prints the usage. */
@Command(
        name = "usher",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        subcommands = {
            RunCommand.class,
            CheckCommand.class,
            NginxConfigMapCommand.class,
            EchoCommand.class,
            DemoCommand.class,
            WarmupCommand.class
        },
        description = {
            "Usher: a Kubernetes Ingress controller and HTTP reverse proxy.",
            "",
            "Try `usher demo` first: three echo origins behind Usher, with the book's Ingress examples."
        })
final class UsherCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return 2;
    }
}
