import ArgumentParser
import Logging

/// The `--log-level` flag every program takes, written once; used as
/// `@OptionGroup var logging: LoggingOptions`.
public struct LoggingOptions: ParsableArguments {
    @Option(help: "The least severe log level written to standard error.")
    public var logLevel: Logger.Level = .info

    public init() {}
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
