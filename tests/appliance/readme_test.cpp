// The README's first example, verbatim, as on a fresh machine without internet:
// `scripts/run.sh` started in an empty directory (INKAN_BINARY = the built
// binary, so no install or build), then the README's "Try it" ```sh block run
// by bash in that directory. The block names the fixed ports 8443, 8444 and 8080:
// CTest runs this test under RESOURCE_LOCK readme_ports.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <sstream>
#include <string>

#include "tests/support/process.h"
#include "tests/support/run.h"
#include "tests/support/temp_dir.h"

using namespace inkan;
using namespace std::chrono_literals;

namespace {

// The ```sh block that follows the README's "Try it:" line.
std::string try_it_block(const std::string& readme) {
    std::istringstream in(readme);
    std::string line;
    std::string block;
    bool seen_try_it = false;
    bool inside = false;
    while (std::getline(in, line)) {
        if (inside) {
            if (line == "```") return block;
            block += line + "\n";
        } else if (line == "Try it:") {
            seen_try_it = true;
        } else if (seen_try_it && line == "```sh") {
            inside = true;
        }
    }
    return "";
}

// True if nothing listens on 127.0.0.1:port (we can bind it ourselves).
bool port_free(unsigned short port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return false;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    close(fd);
    return ok;
}

// The first PEM certificate in `text`, or "".
std::string first_certificate(const std::string& text) {
    const std::string begin = "-----BEGIN CERTIFICATE-----";
    const std::string end = "-----END CERTIFICATE-----";
    auto b = text.find(begin);
    auto e = text.find(end, b == std::string::npos ? 0 : b);
    if (b == std::string::npos || e == std::string::npos) return "";
    return text.substr(b, e + end.size() - b) + "\n";
}

}  // namespace

TEST(Readme, TryItWorksVerbatimOfflineAfterRunSh) {
    for (unsigned short port : {8443, 8444, 8080}) {
        ASSERT_TRUE(port_free(port))
            << "127.0.0.1:" << port << " is taken (a running inkan or scripts/run.sh?). This test "
            << "runs the README's steps verbatim, which name ports 8443, 8444 and 8080: free them "
               "and rerun.";
    }
    std::string block = try_it_block(test::read_file(INKAN_SOURCE_DIR "/README.md"));
    ASSERT_NE(block.find("curl"), std::string::npos)
        << "no ```sh block after \"Try it:\" in README.md";

    test::TempDir dir;
    test::write_file(dir / "try-it.sh", block);
    test::Process appliance({"/bin/bash", INKAN_SOURCE_DIR "/scripts/run.sh"},
                            {{"INKAN_BINARY", INKAN_BINARY_FILE}},
                            test::ProcessOptions{dir.path(), true});
    // init (SoftHSM token, RSA-3072 CA key, ...) then serve.
    ASSERT_FALSE(appliance.wait_for_line("inkan: public", 240s).empty()) << appliance.output();
    EXPECT_NE(appliance.output().find("Demo institution 'Inkan Demo University'"),
              std::string::npos)
        << appliance.output();

    auto ran = test::run("cd " + test::shell_quote(dir.path().string()) +
                         " && timeout 120 bash -e try-it.sh >try-it.out 2>try-it.err");
    std::string out = test::read_file(dir / "try-it.out");
    ASSERT_EQ(ran.exit_code, 0) << "stdout:\n"
                                << out << "\nstderr:\n"
                                << test::read_file(dir / "try-it.err") << "\nappliance:\n"
                                << appliance.output();
    EXPECT_NE(out.find(R"("status":"ok")"), std::string::npos) << out;
    std::string certificate = first_certificate(out);
    ASSERT_FALSE(certificate.empty()) << "no certificate came back:\n" << out;
    test::write_file(dir / "user1.pem", certificate);

    auto in_dir = "cd " + test::shell_quote(dir.path().string()) + " && ";
    auto subject =
        test::run(in_dir + "openssl x509 -in user1.pem -noout -subject -nameopt RFC2253");
    ASSERT_EQ(subject.exit_code, 0) << subject.output;
    EXPECT_NE(subject.output.find(
                  "CN=user1.example.ac.jp,O=Inkan Demo University,L=Chiyoda-ku,ST=Tokyo,C=JP"),
              std::string::npos)
        << subject.output;
    auto verify = test::run(in_dir + "openssl verify -CAfile state/ca.pem user1.pem");
    EXPECT_EQ(verify.exit_code, 0) << verify.output;
    EXPECT_EQ(appliance.stop(), 0) << appliance.output();
}
