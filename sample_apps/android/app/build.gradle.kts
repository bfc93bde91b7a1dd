plugins {
    id("com.android.application")
    id("org.jetbrains.kotlin.android")
}

android {
    namespace = "dev.edgepack.app"
    compileSdk = 35

    defaultConfig {
        applicationId = "dev.edgepack.demo_intent_classifier"
        minSdk = 26
        targetSdk = 35
        versionCode = 1
        versionName = "1.0"
        testInstrumentationRunner = "androidx.test.runner.AndroidJUnitRunner"
        ndk {
            // ExecuTorch ships native libraries for these ABIs.
            abiFilters += listOf("arm64-v8a", "x86_64")
        }
    }

    androidResources {
        // The model is memory-mapped from a copy on disk; keep it uncompressed in the APK.
        noCompress += listOf("pte")
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
    kotlinOptions {
        jvmTarget = "17"
    }
}

dependencies {
    implementation(project(":edgepack-kit"))
    // The runtime the bundle was built and verified with (executorch 1.5.1).
    implementation("org.pytorch:executorch-android:1.5.1")
    androidTestImplementation("androidx.test.ext:junit:1.2.1")
    androidTestImplementation("androidx.test:runner:1.6.2")
}
