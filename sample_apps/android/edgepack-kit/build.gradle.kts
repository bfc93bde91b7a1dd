// Tokenizer, manifest reader and post-processing in plain Kotlin (no Android types), so the
// same sources run in the app, in JVM unit tests, and in `edgepack app check-tokenizer`.
plugins {
    id("org.jetbrains.kotlin.jvm")
}

kotlin {
    jvmToolchain(17)
}

dependencies {
    testImplementation("junit:junit:4.13.2")
}

tasks.test {
    // The JVM tests replay the bundle's files that ship in the app's assets.
    systemProperty("edgepack.assets", rootProject.file("app/src/main/assets").absolutePath)
}
