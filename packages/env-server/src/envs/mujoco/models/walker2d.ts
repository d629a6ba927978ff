/**
 * Walker2d (v5 model): a planar biped with two three-link legs; robot geoms collide with the floor only, and
 * both feet have friction 1.9. Written from the physical parameters of Gymnasium's walker2d_v5.xml; body frames
 * sit where Gymnasium's do (leg frame at the leg's midpoint, foot frame at floor level).
 */
function leg(suffix: string): string {
  return `
      <body name="thigh${suffix}" pos="0 0 -0.2">
        <joint name="thigh${suffix}_joint" type="hinge" axis="0 -1 0" range="-150 0"/>
        <geom name="thigh${suffix}_geom" type="capsule" fromto="0 0 0 0 0 -0.45" size="0.05" friction="0.9"/>
        <body name="leg${suffix}" pos="0 0 -0.7">
          <joint name="leg${suffix}_joint" type="hinge" pos="0 0 0.25" axis="0 -1 0" range="-150 0"/>
          <geom name="leg${suffix}_geom" type="capsule" fromto="0 0 0.25 0 0 -0.25" size="0.04" friction="0.9"/>
          <body name="foot${suffix}" pos="0.2 0 -0.35">
            <joint name="foot${suffix}_joint" type="hinge" pos="-0.2 0 0.1" axis="0 -1 0" range="-45 45"/>
            <geom name="foot${suffix}_geom" type="capsule" fromto="-0.2 0 0.1 0 0 0.1" size="0.06" friction="1.9"/>
          </body>
        </body>
      </body>`;
}

export const WALKER2D_XML = `
<mujoco model="walker2d">
  <compiler angle="degree" inertiafromgeom="true"/>
  <option timestep="0.002" integrator="RK4"/>
  <size memory="1M"/>
  <default>
    <joint armature="0.01" damping="0.1"/>
    <geom contype="1" conaffinity="0" condim="3" density="1000" friction="0.7 0.1 0.1"/>
  </default>
  <worldbody>
    <geom name="floor" type="plane" size="40 40 40" conaffinity="1" condim="3"/>
    <body name="torso" pos="0 0 1.25">
      <joint name="rootx" type="slide" pos="0 0 -1.25" axis="1 0 0" armature="0" damping="0"/>
      <joint name="rootz" type="slide" pos="0 0 -1.25" axis="0 0 1" ref="1.25" armature="0" damping="0"/>
      <joint name="rooty" type="hinge" axis="0 1 0" armature="0" damping="0"/>
      <geom name="torso_geom" type="capsule" fromto="0 0 0.2 0 0 -0.2" size="0.05" friction="0.9"/>${leg('')}${leg('_left')}
    </body>
  </worldbody>
  <actuator>
    <motor joint="thigh_joint" gear="100" ctrlrange="-1 1"/>
    <motor joint="leg_joint" gear="100" ctrlrange="-1 1"/>
    <motor joint="foot_joint" gear="100" ctrlrange="-1 1"/>
    <motor joint="thigh_left_joint" gear="100" ctrlrange="-1 1"/>
    <motor joint="leg_left_joint" gear="100" ctrlrange="-1 1"/>
    <motor joint="foot_left_joint" gear="100" ctrlrange="-1 1"/>
  </actuator>
</mujoco>
`;
