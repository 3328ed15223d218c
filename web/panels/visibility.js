// Whether a panel is on screen. Panels with heavy work (the weights views, the confusion
// matrix over 10,000 test images) do it only when seen: a long page, or a widget whose lower
// panels are below the fold, starts training sooner and stays light.
export function watchVisibility(section, onChange) {
  const state = { visible: false };
  const observer = new IntersectionObserver(([entry]) => {
    state.visible = entry.isIntersecting;
    onChange(state.visible);
  });
  observer.observe(section);
  state.dispose = () => observer.disconnect();
  return state;
}
