import Foundation
import Shell

exit(SegshCLI.main(Array(CommandLine.arguments.dropFirst())))
