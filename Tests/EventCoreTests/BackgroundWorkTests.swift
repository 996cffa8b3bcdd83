import Dispatch
import EventCore
import XCTest

#if canImport(Glibc)
import Glibc
#endif

final class BackgroundWorkTests: XCTestCase {
    func testResultsComeBackOnTheLoop() throws {
        let base = try EventBase()
        let work = try BackgroundWork(base: base)
        var got: [Int] = []
        for value in 1...3 {
            work.run({ value * 10 }, then: { result in
                got.append(result)
                if got.count == 3 { base.stop() }
            })
        }
        let guardTimer = LoopEvent.timer(base: base, repeating: false) { base.stop() }
        guardTimer.add(after: 5)
        base.run()
        XCTAssertEqual(got.sorted(), [10, 20, 30])
        guardTimer.close()
        work.close()
        base.close()
    }
}
