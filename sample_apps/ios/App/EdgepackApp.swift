import SwiftUI

@main
struct EdgepackApp: App {
    var body: some Scene {
        WindowGroup {
            ContentView()
        }
    }
}
