import ArgumentParser
import Logging

/// The `--log-level` flag every program takes, written once; used as
/// `@OptionGroup var logging: LoggingOptions`.
public struct LoggingOptions: ParsableArguments {
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    public var logLevel: Logger.Level = .info

    public init() {}
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
