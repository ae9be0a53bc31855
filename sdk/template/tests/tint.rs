//! Runs the processor straight from the rlib: one synthetic face, pixels checked.

use liveswap_face_tint::FaceTint;
use liveswap_sdk::abi_stable::sabi_trait::TD_Opaque;
use liveswap_sdk::abi_stable::std_types::{RArc, RErr, RResult, RSlice, RSliceMut, RStr, RVec};
use liveswap_sdk::{
    Face, FrameCtx, FrameKind, FrameOutcome, FrameProcessor, HostBox, HostCtx, HostCtx_TO,
    ImageMut, ImageRef, LogLevel, ModelBox, ModelRequest, Plugin, SdkError, Settings, codes,
};

/// A host context for tests: no models, logs dropped.
#[derive(Clone)]
struct TestHost;

impl HostCtx for TestHost {
    fn open_model(&self, _request: ModelRequest) -> RResult<ModelBox, SdkError> {
        RErr(SdkError::new(codes::MODEL, "no models in this test"))
    }
    fn log(&self, _level: LogLevel, _message: RStr<'_>) {}
    fn is_cancelled(&self) -> bool {
        false
    }
}

#[test]
fn the_face_box_is_tinted_and_nothing_else() {
    let info = FaceTint::info();
    let mut settings = Settings::defaults(&info.settings);
    settings.set("strength", liveswap_sdk::SettingValue::Float(1.0));
    let host: HostBox = HostCtx_TO::from_ptr(RArc::new(TestHost), TD_Opaque);
    let mut p = FaceTint::create(&settings, host).expect("create");

    let (w, h) = (8u32, 6u32);
    let mut pixels = vec![100u8; (w * h * 3) as usize];
    let mut faces: RVec<Face> = vec![Face::new([2.0, 1.0, 4.0, 3.0], 0.9, [[3.0, 2.0]; 5])].into();
    let mut ctx = FrameCtx {
        frame: ImageMut {
            data: RSliceMut::from_mut_slice(&mut pixels),
            width: w,
            height: h,
            stride: w * 3,
        },
        original: ImageRef {
            data: RSlice::from_slice(&[]),
            width: 0,
            height: 0,
            stride: 0,
        },
        kind: FrameKind::STILL,
        index: 0,
        timestamp_us: 0,
        faces: &mut faces,
        sources: RSlice::from_slice(&[]),
    };
    assert_eq!(
        p.process(&mut ctx).expect("process"),
        FrameOutcome::Processed
    );
    for y in 0..h as usize {
        for x in 0..w as usize {
            let px = &pixels[(y * w as usize + x) * 3..][..3];
            let inside = (2..=4).contains(&x) && (1..=3).contains(&y);
            assert_eq!(
                px,
                if inside { [0, 255, 0] } else { [100; 3] },
                "pixel ({x}, {y})"
            );
        }
    }
}
