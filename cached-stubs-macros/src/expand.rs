//! Code generation: the record/replay version of the function, in its place.

use crate::allow_secret;
use crate::depends::{Dependency, dependencies};
use crate::function::Function;
use crate::options::Options;
use crate::params::Params;
use crate::resolver;
use crate::returns::{ItemsReturn, ItemsTrait, Returns};
use crate::source_hash::source_hash;
use crate::stub_folder;
use crate::syn_types::mentions;
use proc_macro2::{Delimiter, Group, Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Ident, ReturnType, Signature};

/// The attribute's expansion, or, when it can't be made, the error beside the function as
/// written, so that the error is the only one.
pub(crate) fn cached_stub(attr: TokenStream, item: TokenStream) -> TokenStream {
    match try_expand(&attr, &item) {
        Ok(expanded) => expanded,
        Err(error) => {
            let error = error.to_compile_error();
            quote!(#error #item)
        }
    }
}

/// Reads the options and the function, then generates the record/replay version; the first
/// error found stops it.
fn try_expand(attr: &TokenStream, item: &TokenStream) -> syn::Result<TokenStream> {
    resolver::check().map_err(|message| syn::Error::new(Span::call_site(), message))?;
    let options = Options::parse(attr.clone())?;
    let function: Function = syn::parse2(item.clone()).map_err(|error| {
        let message = format!("#[cached_stub] goes on a function with a body: {error}");
        syn::Error::new(error.span(), message)
    })?;
    function.refuse_unstubbable()?;
    let returns = Returns::of(&function.sig.output, options.items.as_ref())?;
    let params = Params::of(&function.sig, &options.skip)?;
    let dependencies = dependencies(&options.depends, function.block.stream())?;
    allow_secret::check(&options.allow_secret, &params, &returns)?;
    let folder_name = stub_folder::folder_name(&function.sig.ident, options.name.as_ref())?;
    if let (Some(record_err), Returns::Items(_)) = (&options.record_err, &returns) {
        return Err(syn::Error::new_spanned(
            record_err,
            "`record_err` records a returned `Result`; a stream's or an iterator's `Err` \
             items reach the caller and are not recorded",
        ));
    }
    let expansion = Expansion::new(&function, &options, &params, &returns, &dependencies);
    Ok(expansion.stubbed(&folder_name, &source_hash(attr, item)))
}

/// What the generated code is made of.
struct Expansion<'a> {
    /// The annotated function.
    function: &'a Function,
    /// The attribute's options.
    options: &'a Options,
    /// Its parameters: the key, and how the record/replay version declares them.
    params: &'a Params,
    /// What it returns, which decides how the body is wrapped.
    returns: &'a Returns,
    /// What it depends on besides its tokens.
    dependencies: &'a [Dependency],
    /// `::cached_stubs::__private`, the runtime's seam.
    private: TokenStream,
    /// The declared return type, `()` when there is none.
    return_type: TokenStream,
    /// Where errors about what the function returns point.
    return_span: Span,
    /// Our locals, resolved at the macro's definition site: the user's body can't see them.
    site: Ident,
    step: Ident,
    run: Ident,
    output: Ident,
    real: Ident,
}

impl<'a> Expansion<'a> {
    fn new(
        function: &'a Function,
        options: &'a Options,
        params: &'a Params,
        returns: &'a Returns,
        dependencies: &'a [Dependency],
    ) -> Self {
        let local = |name: &str| Ident::new(&format!("__cached_stubs_{name}"), Span::mixed_site());
        let (return_type, return_span) = match &function.sig.output {
            ReturnType::Default => (quote!(()), function.sig.ident.span()),
            ReturnType::Type(_, ty) => (ty.to_token_stream(), ty.span()),
        };
        Expansion {
            function,
            options,
            params,
            returns,
            dependencies,
            private: quote!(::cached_stubs::__private),
            return_type,
            return_span,
            site: local("site"),
            step: local("step"),
            run: local("run"),
            output: local("output"),
            real: local("real"),
        }
    }

    /// The function with its body wrapped: look the call up, then replay, or run the
    /// original body and hand its result over for recording.
    fn stubbed(&self, folder_name: &str, source_hash: &str) -> TokenStream {
        let options = self.options;
        let Function {
            outer_attrs,
            inner_attrs,
            vis,
            sig,
            ..
        } = self.function;
        let Expansion { private, site, .. } = self;
        let sig = Signature {
            inputs: self.params.inputs.clone(),
            ..sig.clone()
        };
        let dir = match &options.dir {
            Some(dir) => quote!(::core::option::Option::Some(#dir)),
            None => quote!(::core::option::Option::None),
        };
        let allow_secret = options.allow_secret.iter().map(|path| &path.literal);
        let body = match self.returns {
            Returns::Value => self.value_body(),
            Returns::Items(items) => self.items_body(items),
            Returns::Future { output, boxed } => self.future_body(output, *boxed),
        };
        let track_caller = self.tracks_its_caller().then(|| quote!(#[track_caller]));
        let sequence = options.sequence.is_some();
        quote! {
            #(#outer_attrs)*
            #track_caller
            #vis #sig {
                #(#inner_attrs)*
                let #site: &'static #private::Site = {
                    static SITE: #private::Site = #private::Site::new(#private::Definition {
                        module_path: ::core::module_path!(),
                        name: #folder_name,
                        source_hash: #source_hash,
                        dir: #dir,
                        manifest_dir: ::core::env!("CARGO_MANIFEST_DIR"),
                        package: ::core::env!("CARGO_PKG_NAME"),
                        sequence: #sequence,
                        allow_secret: &[#(#allow_secret),*],
                    });
                    &SITE
                };
                #body
            }
        }
    }

    /// Whether the record/replay version gets `#[track_caller]`, so that a miss points at
    /// the line that called it: where Rust takes the attribute (not on an `async fn`, nor
    /// with another ABI than Rust's) and the function doesn't have it already.
    fn tracks_its_caller(&self) -> bool {
        let sig = &self.function.sig;
        let rust_abi = sig
            .abi
            .as_ref()
            .is_none_or(|abi| abi.name.as_ref().is_some_and(|name| name.value() == "Rust"));
        let has_it =
            (self.function.outer_attrs.iter()).any(|attr| attr.path().is_ident("track_caller"));
        !self.is_async() && rust_abi && !has_it
    }

    /// Whether the function is an `async fn`.
    fn is_async(&self) -> bool {
        self.function.sig.asyncness.is_some()
    }

    /// A value (or `Result`): replayed, or the real one recorded by `Run::finish`.
    fn value_body(&self) -> TokenStream {
        let Expansion { run, output, .. } = self;
        let resolve = if self.is_async() {
            Resolve::Await
        } else {
            Resolve::Wait
        };
        let lookup = self.lookup("lookup", &self.return_type, resolve);
        let real_call = self.real_call();
        let on_step = self.on_step(quote!(#output), quote!(#run.finish(#real_call)));
        quote!(#lookup #on_step)
    }

    /// A future, called as the original is: looked up, then, unless the stub replays at
    /// once, the body run for the real future. Awaited, it gives the stub's output, or the
    /// real output, recorded.
    fn future_body(&self, output_type: &TokenStream, boxed: bool) -> TokenStream {
        let Expansion {
            step,
            run,
            output,
            real,
            ..
        } = self;
        let lookup = self.lookup("lookup", output_type, Resolve::Direct);
        let body = self.body();
        let on_step = self.on_step(
            quote!(#output),
            quote!(#run.finish(#real.expect("the real future, made when not replaying").await)),
        );
        let future = quote!(async move { let #step = #step.await; #on_step });
        let future = if boxed {
            quote!(::std::boxed::Box::pin(#future))
        } else {
            future
        };
        quote! {
            #lookup
            let #real = if #step.replays() {
                ::core::option::Option::None
            } else {
                ::core::option::Option::Some((move || #body)())
            };
            #future
        }
    }

    /// A stream or iterator: its recorded items replayed, or the real one teed, then boxed
    /// into the declared type if it is a named one.
    fn items_body(&self, items: &ItemsReturn) -> TokenStream {
        let Expansion {
            private,
            run,
            output,
            ..
        } = self;
        let real_call = self.real_call();
        let (replay, run_and_tee) = if items.in_result {
            (
                quote!(::core::result::Result::Ok(#private::StubbedItems::replay(#output))),
                quote!(#real_call.map(|#output| #run.tee(#output))),
            )
        } else {
            (
                quote!(#private::StubbedItems::replay(#output)),
                quote!(#run.tee(#real_call)),
            )
        };
        let lookup = self.lookup("lookup_items", &items.item, Resolve::Direct);
        let on_step = self.on_step(replay, run_and_tee);
        let boxing = match items.implements {
            ItemsTrait::Stream => quote!(::std::boxed::Box::pin),
            ItemsTrait::Iterator => quote!(::std::boxed::Box::new),
        };
        // The tail of a function coerces to its return type: `Box<StubbedItems<..>>` becomes the
        // declared `Pin<Box<dyn Stream<..>>>` or `Box<dyn Iterator<..>>`.
        let returned = match (&items.named, items.in_result) {
            (None, _) => quote!(#output),
            (Some(_), false) => quote!(#boxing(#output)),
            (Some(named), true) => quote!(#output.map(|#output| -> #named { #boxing(#output) })),
        };
        let named = items.named.as_ref();
        let check = named.map(|named| self.check_declared(items.implements, named));
        quote! {
            #check
            #lookup
            let #output = #on_step;
            #returned
        }
    }

    /// A check that the type `stream` or `iter` declares a stream or an iterator is one, with
    /// a message that says why it may not be: a `Result` under an alias is taken for the
    /// stream or iterator itself (see `returns`). In a block of its own, so that no other
    /// code sees its items.
    fn check_declared(&self, implements: ItemsTrait, named: &TokenStream) -> TokenStream {
        let (name, option, path) = (implements.name(), implements.option(), implements.path());
        let message = format!(
            "`{{Self}}` is not a `{name}`, which `#[cached_stub({option})]` says the function \
             returns, alone or as the `Ok` of a `Result`"
        );
        let label = format!("not a `{name}`");
        let note = "a `Result` is seen only where the return type is written `Result<..>`: \
                    an alias of one (`type Reply = Result<S, E>`) is not seen through, so \
                    write `Result<S, E>` in the signature";
        let declared = format_ident!("Declared{name}");
        // Located at the return type, where rustc reports a type that isn't one.
        let call = quote_spanned!(self.return_span=> is_declared::<#named>(););
        quote! {{
            #[diagnostic::on_unimplemented(message = #message, label = #label, note = #note)]
            trait #declared {}
            impl<T: #path + ?::core::marker::Sized> #declared for T {}
            fn is_declared<T: #declared + ?::core::marker::Sized>() {}
            #call
        }}
    }

    /// `let step = lookup(site, &[args], part);` (or `lookup_items`), the stored part picked
    /// from `ty` by the runtime's `PickPart`, so that a `Result` is seen through any alias, and
    /// spanned at the return type, where a type that can't be recorded is reported. Bound
    /// before any `match`, so the borrowed arguments are gone before any await.
    fn lookup(&self, function: &str, ty: &TokenStream, resolve: Resolve) -> TokenStream {
        let Expansion {
            private,
            site,
            step,
            ..
        } = self;
        let args = self.params.key.iter().map(|arg| {
            let (name, value) = (&arg.name, &arg.value);
            quote_spanned!(arg.span=> #private::arg(#name, &#value))
        });
        // Each spanned at its expression, where a value that doesn't serialize is reported.
        let depends = self.dependencies.iter().map(|dependency| {
            let Dependency { name, value, .. } = dependency;
            let once = Ident::new("ONCE", Span::mixed_site());
            if dependency.constant {
                quote_spanned! {dependency.span=>
                    #private::depend_once(
                        #name,
                        { static #once: #private::HashedOnce = #private::HashedOnce::new(); &#once },
                        &(#value),
                    )
                }
            } else {
                quote_spanned!(dependency.span=> #private::depend(#name, &(#value)))
            }
        });
        // Located at the return type, where rustc reports a type that can't be recorded;
        // one of the two traits is always unused.
        let part = match self.options.record_err {
            Some(_) => quote_spanned! {self.return_span=>
                ::cached_stubs::__private::err_too::<#ty>()
            },
            None => quote_spanned! {self.return_span=> {
                #[allow(unused_imports)]
                use ::cached_stubs::__private::{PickOkOnly as _, PickWhole as _};
                (&::cached_stubs::__private::PickPart::<#ty>::NEW).part()
            }},
        };
        // Every token of the call located at the return type, where rustc points.
        let function = Ident::new(function, self.return_span);
        // A closure's type name tells the instances of a generic `impl` apart.
        let call = quote_spanned! {self.return_span=>
            ::cached_stubs::__private::#function(
                ::cached_stubs::__private::Call {
                    site: #site,
                    instance: ::core::any::type_name_of_val(&|| ()),
                    args: &[#(#args),*],
                    depends: &[#(#depends),*],
                },
                #part,
            )
        };
        match resolve {
            Resolve::Direct => quote!(let #step = #call;),
            Resolve::Wait => quote!(let #step = #call.wait();),
            Resolve::Await => quote!(let #step = #call; let #step = #step.await;),
        }
    }

    /// `match step`: `replay` with the stub's content bound to `output`, or `run` with the
    /// `Run` bound to `run`.
    fn on_step(&self, replay: TokenStream, run: TokenStream) -> TokenStream {
        let Expansion {
            private,
            step,
            run: run_binding,
            output,
            ..
        } = self;
        quote! {
            match #step {
                #private::Step::Replay(#output) => #replay,
                #private::Step::Run(#run_binding) => #run,
            }
        }
    }

    /// The original body, run: in a closure or an async block, so that `return` and `?`
    /// keep their meaning.
    fn real_call(&self) -> TokenStream {
        let return_type = &self.return_type;
        let body = self.body();
        // An `impl Trait` return type can't be written on a closure or a `let`.
        let nameable = !mentions(return_type.clone(), "impl");
        match (self.is_async(), nameable) {
            // The never-taken `return` gives the block its type before the body is checked,
            // as in tracing-attributes: inference inside the body works as in the original.
            // The body's statements come right after it, not as a nested block.
            (true, true) => {
                let statements = body.stream();
                let fake = Span::mixed_site().located_at(self.return_span);
                let fake = Ident::new("__cached_stubs_fake", fake);
                let edge = quote_spanned! {self.return_span=>
                    #[allow(unreachable_code, clippy::diverging_sub_expression, clippy::empty_loop)]
                    if false {
                        let #fake: #return_type = loop {};
                        return #fake;
                    }
                };
                quote!(async move { #edge #statements }.await)
            }
            (true, false) => quote!(async move #body.await),
            (false, true) => quote!((move || -> #return_type #body)()),
            (false, false) => quote!((move || #body)()),
        }
    }

    /// The user's block, first destructuring the arguments bound by a pattern, in the
    /// block's own braces, so that errors about it point at the user's code.
    fn body(&self) -> Group {
        let block = &self.function.block;
        let destructured = self
            .params
            .patterns
            .iter()
            .map(|(renamed, pattern)| quote!(let #pattern = #renamed;));
        let statements = block.stream();
        let mut body = Group::new(Delimiter::Brace, quote!(#(#destructured)* #statements));
        body.set_span(block.span());
        body
    }
}

/// How a lookup becomes a `Step`: a value's may have to wait for an identical call that
/// records it (see the runtime's `flight`), blocking a sync function, awaited in an async one.
#[derive(Clone, Copy)]
enum Resolve {
    /// The lookup is the `Step` (of items), or is awaited later (in a returned future).
    Direct,
    /// `.wait()`, in a sync function.
    Wait,
    /// `.await`, in an async function.
    Await,
}
