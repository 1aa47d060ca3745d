//! `cached-stubs-server --listen ADDR --upstream URL --dir DIR [--speed F]`: see the README's
//! "A working API for the whole team".

use cached_stubs_server::http;
use cached_stubs_server::options::{Options, record_command};
use clap::Parser;
use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

fn main() -> ExitCode {
    let options = Options::parse();
    let args: Vec<String> = std::env::args().collect();
    let server = match options.server(record_command(&args, &options)) {
        Ok(server) => Arc::new(server),
        Err(message) => return stop(&message),
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => return stop(&format!("can't start: {error}")),
    };
    runtime.block_on(async {
        let listener = match tokio::net::TcpListener::bind(options.listen).await {
            Ok(listener) => listener,
            Err(error) => return stop(&format!("can't listen on {}: {error}", options.listen)),
        };
        let address = match listener.local_addr() {
            Ok(address) => address,
            Err(error) => return stop(&format!("can't tell the address: {error}")),
        };
        // The first line, which scripts and tests wait for.
        let mut stdout = std::io::stdout();
        let _ = writeln!(stdout, "listening on http://{address}");
        let _ = stdout.flush();
        let handler = move |request| {
            let server = Arc::clone(&server);
            async move { server.answer(request).await }
        };
        http::serve(listener, handler, stop_signal()).await;
        ExitCode::SUCCESS
    })
}

/// Ready at Ctrl-C or SIGTERM.
async fn stop_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = interrupt => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(_) => {
                let _ = interrupt.await;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
    eprintln!("cached-stubs-server: stopping once the requests in flight are answered");
}

/// Says why the server can't run, and exits with 2.
fn stop(message: &str) -> ExitCode {
    eprintln!("cached-stubs-server: {message}");
    ExitCode::from(2)
}
